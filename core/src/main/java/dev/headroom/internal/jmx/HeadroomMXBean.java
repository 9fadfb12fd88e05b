package dev.headroom.internal.jmx;

/**
 * The read-only MXBean {@code dev.headroom:type=Headroom}. Figures are those of the latest sample;
 * {@code -1} (or NaN for rates) means unknown or unlimited. Emits a notification of type
 * {@value JmxPublisher#LEVEL_NOTIFICATION} on every level change and
 * {@value JmxPublisher#EVENT_NOTIFICATION} for every event.
 */
public interface HeadroomMXBean {
    /** {@code OK}, {@code WARN} or {@code CRITICAL}. */
    String getLevel();

    long getWorkingSetBytes();

    /** Effective hard limit; -1 when unlimited. */
    long getLimitBytes();

    /** Distance to the binding constraint (0 when over it); -1 when unknown. */
    long getHeadroomBytes();

    /** Growth of the working set's post-GC floor; NaN until known. */
    double getGrowthBytesPerSecond();

    /** Headroom divided by growth; NaN when not growing or unlimited. */
    double getSecondsToLimit();

    /** Soft limit in force; -1 when off. */
    long getSoftLimitBytes();

    boolean isOverSoftLimit();

    long getActions();

    long getBytesReturned();

    long getGcCpuCapHits();

    long getHeapDumps();

    long getHeapDumpsRefused();

    /** Samples taken since start. */
    long getSamples();

    /** When the latest sample was taken (epoch ms); 0 before the first. */
    long getSampleTimeMillis();

    /** The whole latest budget as one JSON object, the same document as {@code report --json} (docs/schema.md). */
    String getBudgetJson();

    /** The configuration in force, in its string form. */
    String getConfig();

    /** pid and class loader of the Headroom copy that runs the sampler. */
    String getOwner();
}
