package dev.headroom.internal.cgroup;

import dev.headroom.internal.kernfs.ByteParsing;

/**
 * The arithmetic of the limits on the way up from the process's cgroup, with no I/O: which limit
 * applies and which cgroup binds first.
 * <ul>
 *   <li>A limit file's "no limit" comes in several spellings: v2's {@code max}, v1's
 *       PAGE_COUNTER_MAX (in pages of whatever size) and any value at or above the host's RAM
 *       ({@link #classify}). All are {@link CgroupSample#UNLIMITED}.</li>
 *   <li>The effective limit is the lowest on the chain; on v1 an ancestor outside the mount can
 *       still show through {@code memory.stat}'s {@code hierarchical_memory_limit}.</li>
 *   <li>The binding cgroup is the one with the smallest limit - usage: a parent with a larger limit
 *       but siblings using most of it binds before the process's own limit does.</li>
 * </ul>
 */
final class EffectiveLimit {
    /**
     * v1 prints "unlimited" as PAGE_COUNTER_MAX pages: Long.MAX_VALUE rounded down to the page size
     * (9223372036854771712 with 4 KiB pages, 9223372036854710272 with 64 KiB pages). Anything at or
     * above the 64 KiB value is such a marker.
     */
    static final long PAGE_COUNTER_UNLIMITED = Long.MAX_VALUE & ~0xFFFFL;

    private static final long UNKNOWN = CgroupSample.UNKNOWN;
    private static final long UNLIMITED = CgroupSample.UNLIMITED;

    private EffectiveLimit() {
    }

    /**
     * A limit as read ({@link ByteParsing#MAX} for {@code max}): {@link CgroupSample#UNLIMITED} when
     * it means no limit, else the value.
     *
     * @param memTotal the host's RAM in bytes; 0 or less when unknown (then only the markers count)
     */
    static long classify(long v, long memTotal) {
        if (v == ByteParsing.MAX || v >= PAGE_COUNTER_UNLIMITED || (memTotal > 0 && v >= memTotal)) {
            return UNLIMITED;
        }
        return v;
    }

    /**
     * Sets {@code out}'s {@code limit}, {@code limitIndex} and {@code binding*} fields.
     *
     * @param limits       the classified limit of each directory of the chain, the process's own
     *                     first: bytes, {@link CgroupSample#UNLIMITED} or {@link CgroupSample#UNKNOWN}
     * @param usages       the usage of each directory of the chain (index 0 is not used)
     * @param ownUsage     the process's cgroup's usage; {@link CgroupSample#UNKNOWN} when unknown
     * @param rootCgroup   the process is in the v2 root cgroup, which has no limit file: its
     *                     limit is known (none) although nothing could be read
     * @param hierarchical v1's classified {@code hierarchical_memory_limit} when it applies (the own
     *                     limit is unlimited and {@code use_hierarchy} is on), else
     *                     {@link CgroupSample#UNKNOWN}; it binds with the process's own usage, a
     *                     lower bound of the limiting ancestor's
     */
    static void apply(long[] limits, long[] usages, long ownUsage, boolean rootCgroup, long hierarchical,
                      CgroupSample out) {
        int n = limits.length;
        long limit = UNLIMITED;
        int index = -1;
        for (int i = 0; i < n; i++) {
            if (limited(limits[i]) && limits[i] < limit) {
                limit = limits[i];
                index = i;
            }
        }
        if (limited(hierarchical) && hierarchical < limit) {
            limit = hierarchical;
            index = CgroupSample.HIERARCHICAL;
        }
        boolean ownKnown = rootCgroup || (n > 0 && limits[0] != UNKNOWN);
        out.limit = index == -1 && !ownKnown ? UNKNOWN : limit;
        out.limitIndex = index;

        int binding = -1;
        long bindingHeadroom = 0;
        out.bindingLimit = out.bindingUsage = UNKNOWN;
        for (int i = 0; i < n; i++) {
            long u = i == 0 ? ownUsage : usages[i];
            if (limited(limits[i]) && u >= 0 && (binding == -1 || limits[i] - u < bindingHeadroom)) {
                binding = i;
                bindingHeadroom = limits[i] - u;
                out.bindingLimit = limits[i];
                out.bindingUsage = u;
            }
        }
        if (limited(hierarchical) && ownUsage >= 0 && (binding == -1 || hierarchical - ownUsage < bindingHeadroom)) {
            binding = CgroupSample.HIERARCHICAL;
            bindingHeadroom = hierarchical - ownUsage;
            out.bindingLimit = hierarchical;
            out.bindingUsage = ownUsage;
        }
        out.bindingIndex = binding;
        out.bindingHeadroom = binding == -1 ? UNKNOWN : bindingHeadroom;
    }

    /** A real limit: neither unknown nor unlimited. */
    static boolean limited(long limit) {
        return limit >= 0 && limit != UNLIMITED;
    }
}
