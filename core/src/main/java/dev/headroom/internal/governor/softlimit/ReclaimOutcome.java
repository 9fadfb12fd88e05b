package dev.headroom.internal.governor.softlimit;

/**
 * What one reclaim did, handed from the reclaim thread to the sampler thread, which applies it at
 * its next sample: the only way a reclaim's results reach controller state.
 *
 * @param idle          it was an idle reclaim (else the soft limit's)
 * @param findings      what is known after it; replaces the sampler's
 * @param actions       actions it took (a run of collections counts one, a trim one)
 * @param bytesReturned working-set bytes they gave back, as measured
 * @param handled       the growth it was started for is dealt with: the low-water marks restart from
 *                      the lowest reading seen while it ran (false: an idle collection that returned
 *                      nothing, so the growth stays pending)
 * @param collected     it ran collections (else it only trimmed)
 * @param pauseNanos    time its collections took on the reclaim thread; 0 when it did not collect
 * @param gcCpuNanos    CPU its collections cost the collector's threads; -1 when unknown or none
 */
record ReclaimOutcome(boolean idle, Findings findings, long actions, long bytesReturned, boolean handled,
                      boolean collected, long pauseNanos, long gcCpuNanos) {
}
