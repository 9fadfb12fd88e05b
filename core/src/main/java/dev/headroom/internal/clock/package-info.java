/**
 * Time, injected: {@link dev.headroom.internal.clock.Ticker} is the monotonic and the wall clock,
 * {@link dev.headroom.internal.clock.Scheduler} runs one-shot tasks on one thread (in production a
 * daemon thread named by the caller, the runtime's {@code headroom-sampler}; in tests a manual
 * scheduler that runs what is due when told, on a fake clock), and
 * {@link dev.headroom.internal.clock.Watchdog} notices a task of that thread, or the start, that never
 * finishes. Primitives layer: it uses nothing of Headroom's internals.
 */
package dev.headroom.internal.clock;
