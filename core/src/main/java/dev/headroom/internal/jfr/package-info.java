/**
 * Headroom's events and budget samples as JDK Flight Recorder events, for JMC and {@code jfr print}:
 * {@link dev.headroom.internal.jfr.JfrEvents} is an event-bus subscriber and is handed every budget.
 * It never starts the recorder: nothing of {@code jdk.jfr} beyond {@code FlightRecorder} is loaded
 * until a recording (or anything else) has initialised it, so a JVM that never records pays one class
 * load and a volatile read per event (docs/jfr.md). Events layer, next to {@code events}; uses nothing
 * of Headroom's internals. Thread-safe; never throws into the caller.
 */
package dev.headroom.internal.jfr;
