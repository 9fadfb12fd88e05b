package dev.headroom;

import java.util.OptionalLong;

/**
 * What the kernel says about this process ({@code /proc/self/status} every sample,
 * {@code /proc/self/smaps_rollup} on a slower schedule). Empty means not available or not read yet.
 */
public record ProcessSnapshot(
        OptionalLong rssBytes,
        OptionalLong rssAnonBytes,
        OptionalLong rssFileBytes,
        OptionalLong rssShmemBytes,
        OptionalLong swapBytes,
        OptionalLong pssBytes,
        OptionalLong pssAnonBytes,
        OptionalLong pssFileBytes,
        OptionalLong pssShmemBytes,
        long smapsTimeMillis) {
}
