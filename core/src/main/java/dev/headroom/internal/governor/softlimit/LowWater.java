package dev.headroom.internal.governor.softlimit;

/**
 * The working set's and its native part's lows since the last reclaim, so that "grown since its low"
 * means grown since memory was last given back. While a reclaim runs, its lowest readings are kept
 * apart: where it got to, even if the next burst began before it finished measuring. Once the reclaim
 * is handled, the lows restart from there at the next sample. Sampler thread only.
 */
final class LowWater {
    private long workingSet = Long.MAX_VALUE;
    private long nativeBytes = Long.MAX_VALUE;
    private long reclaimWorkingSet = Long.MAX_VALUE;
    private long reclaimNative = Long.MAX_VALUE;
    private boolean restart;

    /** Takes one sample's readings; {@code reclaiming}: a reclaim is running. */
    void sample(long ws, long nativeNow, boolean reclaiming) {
        if (reclaiming || restart) {
            reclaimWorkingSet = Math.min(reclaimWorkingSet, ws);
            reclaimNative = Math.min(reclaimNative, nativeNow);
        }
        if (restart) {
            restart = false;
            workingSet = reclaimWorkingSet;
            nativeBytes = reclaimNative;
            reclaimWorkingSet = Long.MAX_VALUE;
            reclaimNative = Long.MAX_VALUE;
        }
        workingSet = Math.min(workingSet, ws);
        nativeBytes = Math.min(nativeBytes, nativeNow);
    }

    /** A reclaim starts: the lows it reaches are tracked afresh. */
    void reclaimStarted() {
        reclaimWorkingSet = Long.MAX_VALUE;
        reclaimNative = Long.MAX_VALUE;
    }

    /** The growth is dealt with: at the next sample the lows restart from the lowest seen while the reclaim ran. */
    void restartAtNextSample() {
        restart = true;
    }

    long workingSet() {
        return workingSet;
    }

    long nativeBytes() {
        return nativeBytes;
    }
}
