/**
 * The soft limit (GOMEMLIMIT for Java) and reclaim under a CPU budget: the production
 * {@link dev.headroom.internal.governor.Reclaimer}, one room per concern.
 * <ul>
 *   <li>{@code SoftLimitController}: the per-sample order and the wiring; built by
 *       {@code SoftLimitReclaimers}.</li>
 *   <li>What the JVM offers: {@code LeverDetection} finds the {@code Levers} once, on the first
 *       sample; {@code Collector} knows each collector; {@code VmLevers} (real: {@code HotSpotLevers})
 *       pulls them; {@code HeapFlags} keeps the manageable heap flags and their starting values.</li>
 *   <li>What the sample says: {@code Reading} (one sample as the rooms see it), {@code GcLoad} (the
 *       collector's share of the machine, the application's cores) over a {@code CpuMeter} (real:
 *       {@code ProcCpuMeter}), {@code LowWater} (lows since the last reclaim).</li>
 *   <li>Deciding: {@code SoftLimitSteering} (soft limit pressure: back-off, flag steering, paced
 *       collections) and {@code ReclaimPolicy} (how tightly and when to reclaim otherwise; now
 *       {@code ReclaimLaw}, a control law over a CPU budget kept by {@code ReclaimLedger}, its free
 *       share put into the flags by {@code FootprintSteering}), both asking the application through
 *       {@code ListenerRequests}.</li>
 *   <li>Acting: {@code ReclaimTask} (collections, trim, measuring) run one at a time by
 *       {@code ReclaimRunner}, handing back a {@code ReclaimOutcome} with new {@code Findings}.</li>
 *   <li>Telling: {@code SoftLimitEvents} writes the {@code soft_limit} and {@code idle_reclaim} events.</li>
 * </ul>
 *
 * <p>Threads: two. The sampler thread owns the controller and every room it holds: it reads, decides,
 * steers flags, asks listeners and starts reclaims. The reclaim thread ({@code headroom-reclaim}, one
 * daemon) runs one {@code ReclaimTask} at a time; the task owns its own fields, writes no
 * controller state, and hands its results back as one immutable {@code ReclaimOutcome} that the
 * sampler applies at its next sample. What both threads touch is thread-safe by construction:
 * {@code HeapFlags} (synchronised), {@code VmLevers} and {@code CpuMeter} (the real ones are),
 * {@code SoftLimitEvents}, {@code Levers} and {@code Findings} (immutable), and the event sink.
 * Decisions run on the governor's clock (the {@code now} of each sample); the task times its own
 * work with the {@code Ticker} it is given.
 */
package dev.headroom.internal.governor.softlimit;
