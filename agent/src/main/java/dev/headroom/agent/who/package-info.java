/**
 * Who is growing: the agent's {@link dev.headroom.internal.governor.Attribution}. {@link
 * dev.headroom.agent.who.Who} is all that is loaded until attribution first switches on (at WARN
 * with {@code who=auto}); then {@code Instrumenter} (the only user of the shaded Byte Buddy) adds an
 * exit advice to {@code DirectByteBuffer(int)} and {@code Thread.start()} that calls the bootstrap
 * class {@code boot.WhoHook}. {@code DirectSites} and {@code ThreadSites} each keep a bounded
 * {@code SiteTable} of call sites named by {@code Frames}.
 *
 * <p>Threads: the application's threads run the hooks (an atomic add; a short stack walk when the
 * byte sampler fires or a thread starts); {@code headroom-who} switches on and off; the sampler
 * thread reads the tables. See docs/who.md.
 */
package dev.headroom.agent.who;
