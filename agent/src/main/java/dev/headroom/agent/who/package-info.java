/**
 * Who is growing: the agent's {@link dev.headroom.internal.governor.Attribution}. {@link
 * dev.headroom.agent.who.Who} is all that is loaded until attribution first switches on (at WARN
 * with {@code who=auto}); then {@code Instrumenter} (the only user of the shaded Byte Buddy) adds
 * advice to {@code DirectByteBuffer(int)}, {@code Thread.start()}, the zlib stream references of
 * {@code Deflater} and {@code Inflater}, and the class-defining methods of {@code ClassLoader} and
 * {@code MethodHandles.Lookup}, which calls the bootstrap class {@code boot.WhoHook}; and
 * {@code HeapSites} (the only user of {@code jdk.jfr}) starts a JFR recording stream of allocation
 * events. {@code DirectSites}, {@code ThreadSites}, {@code ZlibSites}, {@code ClassSites} and
 * {@code HeapSites} each keep a bounded {@code SiteTable} of call sites named by {@code Frames}.
 *
 * <p>Threads: the application's threads run the hooks (an atomic add; a short stack walk when the
 * byte sampler fires, a thread starts, a zlib stream is created or a class defined); the common
 * cleaner's thread runs the zlib release hook; JFR's streaming thread feeds {@code HeapSites};
 * {@code headroom-who} switches on and off; the sampler thread reads the tables. See docs/who.md.
 */
package dev.headroom.agent.who;
