/**
 * This process's memory as {@code /proc/self} tells it, for the budget and the report:
 * {@code status} every sample ({@link dev.headroom.internal.proc.ProcStatusReader}: resident set
 * and its anon/file/shmem split, swap), {@code smaps_rollup} on a slower schedule
 * ({@link dev.headroom.internal.proc.SmapsRollupReader}: proportional set sizes), and
 * {@code pagemap} for the resident part of the Java heap
 * ({@link dev.headroom.internal.proc.PagemapReader}). The keyed files are read through
 * {@link dev.headroom.internal.kernfs} and, once warm, without allocating; a file the kernel
 * does not have reads as -1, not as an exception.
 */
package dev.headroom.internal.proc;
