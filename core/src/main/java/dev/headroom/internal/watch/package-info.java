/**
 * The fast watch of every limit the JVM can die at, apart from the budget that explains it. Every
 * {@code watchInterval} (and sooner when a figure races toward its next threshold, or at the end of
 * a collection that passed one) the sampler thread reads only what can kill: the binding cgroup's
 * usage counter through a kept-open file, and the JVM's cheap counters (direct memory, collection
 * counts, classes loaded). A figure entering a higher threshold band, or a fatal one due at its limit
 * within {@link dev.headroom.Constraint#SOON_SECONDS}, runs the full budget at once. Each budget
 * hands the watch its limits and thresholds back and takes every {@link dev.headroom.Constraint} with
 * its growth over the last ticks. Owned by the sampler thread; the JVM's notification thread only
 * asks for a tick.
 */
package dev.headroom.internal.watch;
