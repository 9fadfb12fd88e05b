package dev.headroom;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * Headroom asks the application to give memory back: caches and pools registered through
 * {@link HeadroomListener#onReclaimRequest(ReclaimRequest)} shed what they can spare. Sent when idle
 * reclaim runs, and while the working set is above the soft limit (at most every few seconds).
 * Immutable.
 *
 * @param bytesWanted     how much the working set should shrink; 0 when there is no specific target
 *                        (idle: give back what is idle)
 * @param level           how much it matters, least first
 * @param reason          one line for a person: why now
 * @param workingSetBytes the working set when the request was made
 * @param softLimitBytes  the soft limit in force; empty when off
 */
public record ReclaimRequest(long bytesWanted, Level level, String reason, long workingSetBytes,
                             OptionalLong softLimitBytes) {

    public ReclaimRequest {
        if (bytesWanted < 0) {
            throw new IllegalArgumentException("bytesWanted must not be negative: " + bytesWanted);
        }
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(softLimitBytes, "softLimitBytes");
    }

    /** How much a request matters. */
    public enum Level {
        /** The application has been idle: memory it holds for later could go back now. Optional. */
        IDLE,
        /** The working set is above the soft limit; the collector is being pushed too. */
        SOFT_LIMIT,
        /**
         * The working set is above the soft limit and the collector cannot help any more (the GC CPU
         * cap is reached, or collections return nothing): only the application can.
         */
        URGENT
    }
}
