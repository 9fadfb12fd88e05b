/**
 * How Headroom says what it did. {@link dev.headroom.internal.events.EventBus}, the one
 * {@link dev.headroom.internal.events.EventSink}, turns each event into an event-log line
 * ({@link dev.headroom.internal.events.EventLog}, one {@code O_APPEND} write), a {@code [headroom]}
 * stderr line ({@link dev.headroom.internal.events.Diagnostics}, which also prints a repeated failure
 * once only), listener calls and JMX notifications. {@link dev.headroom.internal.events.ListenerDispatcher}
 * calls listeners on its own daemon thread, {@code headroom-listeners}, through a bounded queue, so the
 * sampler only enqueues and never waits. {@link dev.headroom.internal.events.Slf4jEvents} ({@code log=slf4j}) is
 * such a listener: it logs each event reflectively through an SLF4J the application has initialised,
 * never initialising one itself. Events layer, above the budget; uses the clock and JSON
 * writing. Thread-safe; never throws into the caller.
 */
package dev.headroom.internal.events;
