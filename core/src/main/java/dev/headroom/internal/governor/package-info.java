/**
 * The governor: what Headroom does with each budget the sampler produces. {@link
 * dev.headroom.internal.governor.Governor} runs, per sample and in this order, the pressure level
 * with hysteresis ({@code PressureLevels}, on {@code PressureSignal}) and its {@code pressure} event,
 * the heap dump trigger ({@code HeapDumps}), the orderly exit ({@code OrderlyExit}) and, when the
 * soft limit or idle reclaim is on, the {@link dev.headroom.internal.governor.Reclaimer} (the
 * {@code softlimit} package). The result is one {@link dev.headroom.GovernorState} per sample,
 * published with the budget.
 *
 * <p>Threads: the sampler thread calls everything here and owns the governor's state; the published
 * {@code GovernorState} is immutable and read by any thread (the MXBean, listeners). Work that would
 * stall the sampler runs on a thread of its own, started and owned by the class that needs it: the
 * heap dump on {@code headroom-heap-dump}, the exit on {@code headroom-exit} (and its watchdog),
 * collections and trims on the reclaimer's {@code headroom-reclaim}. Thresholds changed through the
 * MXBean are volatile fields the sampler reads at the next sample.
 */
package dev.headroom.internal.governor;
