/**
 * The JVM's own view of its memory, from platform MXBeans only: {@link dev.headroom.internal.jvm.JvmReader}
 * (pools, buffer pools, threads, collections, and NMT through {@link dev.headroom.internal.jvm.NmtReader}
 * and {@link dev.headroom.internal.jvm.NmtParser}), {@link dev.headroom.internal.jvm.JvmConfiguration}
 * (the memory flags, read once), {@link dev.headroom.internal.jvm.JvmFlavour} (what each collector's
 * pools are called and how it gives memory back), {@link dev.headroom.internal.jvm.HeapRange} (where
 * the heap lies, for counting its resident pages) and {@link dev.headroom.internal.jvm.PlatformServer}
 * (the platform MBean server, without creating it). Readers layer: it uses nothing of Headroom's
 * internals. Readers keep state between samples and are not thread-safe: the sampler thread calls them.
 */
package dev.headroom.internal.jvm;
