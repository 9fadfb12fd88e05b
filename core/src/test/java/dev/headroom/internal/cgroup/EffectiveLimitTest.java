package dev.headroom.internal.cgroup;

import dev.headroom.internal.kernfs.ByteParsing;
import org.junit.jupiter.api.Test;

import static dev.headroom.internal.cgroup.CgroupSample.HIERARCHICAL;
import static dev.headroom.internal.cgroup.CgroupSample.UNKNOWN;
import static dev.headroom.internal.cgroup.CgroupSample.UNLIMITED;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The limit arithmetic alone: arrays in, a sample's limit and binding fields out. */
class EffectiveLimitTest {
    private static final long MIB = 1 << 20;
    private static final long GIB = 1L << 30;

    @Test
    void everySpellingOfNoLimitIsUnlimited() {
        assertEquals(UNLIMITED, EffectiveLimit.classify(ByteParsing.MAX, 16 * GIB), "v2 max");
        assertEquals(UNLIMITED, EffectiveLimit.classify(9223372036854771712L, 16 * GIB), "v1, 4 KiB pages");
        assertEquals(UNLIMITED, EffectiveLimit.classify(9223372036854710272L, 16 * GIB), "v1, 64 KiB pages");
        assertEquals(UNLIMITED, EffectiveLimit.classify(16 * GIB, 16 * GIB), "at host RAM");
        assertEquals(UNLIMITED, EffectiveLimit.classify(32 * GIB, 16 * GIB), "above host RAM");
        assertEquals(32 * GIB, EffectiveLimit.classify(32 * GIB, -1), "host RAM unknown: only the markers count");
        assertEquals(512 * MIB, EffectiveLimit.classify(512 * MIB, 16 * GIB));
        assertEquals(0, EffectiveLimit.classify(0, 16 * GIB), "a zero limit is a limit");
    }

    @Test
    void theLowestLimitOnTheChainApplies() {
        CgroupSample s = apply(new long[]{UNLIMITED, 2 * GIB, GIB}, new long[]{0, GIB, GIB}, 100 * MIB, false, UNKNOWN);
        assertEquals(GIB, s.limit);
        assertEquals(2, s.limitIndex);
    }

    @Test
    void noLimitAnywhereIsUnlimitedWhenTheOwnLimitWasReadAndUnknownWhenItWasNot() {
        CgroupSample read = apply(new long[]{UNLIMITED, UNLIMITED}, new long[]{0, GIB}, GIB, false, UNKNOWN);
        assertEquals(UNLIMITED, read.limit);
        assertEquals(-1, read.limitIndex);
        assertEquals(-1, read.bindingIndex);
        assertEquals(UNKNOWN, read.bindingHeadroom);
        assertEquals(UNKNOWN, read.bindingLimit);

        CgroupSample unread = apply(new long[]{UNKNOWN, UNLIMITED}, new long[]{0, GIB}, GIB, false, UNKNOWN);
        assertEquals(UNKNOWN, unread.limit, "the own limit file could not be read");

        CgroupSample root = apply(new long[]{UNKNOWN}, new long[]{UNKNOWN}, GIB, true, UNKNOWN);
        assertEquals(UNLIMITED, root.limit, "the v2 root cgroup has no limit file and no limit");
    }

    @Test
    void aParentWithALargerLimitButLessRoomBinds() {
        // Own: 1 GiB limit, 200 MiB used. Parent: 2 GiB limit, 1.9 GiB used by the siblings and us.
        long[] limits = {GIB, 2 * GIB};
        long[] usages = {0, 2 * GIB - 100 * MIB};
        CgroupSample s = apply(limits, usages, 200 * MIB, false, UNKNOWN);
        assertEquals(GIB, s.limit, "the effective limit is still the lowest");
        assertEquals(0, s.limitIndex);
        assertEquals(1, s.bindingIndex);
        assertEquals(2 * GIB, s.bindingLimit);
        assertEquals(2 * GIB - 100 * MIB, s.bindingUsage);
        assertEquals(100 * MIB, s.bindingHeadroom);
    }

    @Test
    void theOwnUsageIsTheOneGivenAndAnUnknownUsageCannotBind() {
        CgroupSample s = apply(new long[]{GIB, 2 * GIB}, new long[]{999 * GIB, UNKNOWN}, 300 * MIB, false, UNKNOWN);
        assertEquals(0, s.bindingIndex, "index 0's usage comes from ownUsage, not the array");
        assertEquals(GIB - 300 * MIB, s.bindingHeadroom);

        CgroupSample over = apply(new long[]{GIB}, new long[]{0}, GIB + MIB, false, UNKNOWN);
        assertEquals(-MIB, over.bindingHeadroom, "over the limit for a moment: negative, not clamped");
    }

    @Test
    void v1HierarchicalLimitBindsWithTheOwnUsage() {
        CgroupSample s = apply(new long[]{UNLIMITED}, new long[]{0}, 300 * MIB, false, GIB);
        assertEquals(GIB, s.limit);
        assertEquals(HIERARCHICAL, s.limitIndex);
        assertEquals(HIERARCHICAL, s.bindingIndex);
        assertEquals(GIB, s.bindingLimit);
        assertEquals(300 * MIB, s.bindingUsage);
        assertEquals(GIB - 300 * MIB, s.bindingHeadroom);

        CgroupSample lower = apply(new long[]{UNLIMITED, 512 * MIB}, new long[]{0, 400 * MIB}, 300 * MIB, false, GIB);
        assertEquals(512 * MIB, lower.limit, "a lower limit on the chain wins over the hierarchical one");
        assertEquals(1, lower.limitIndex);
        assertEquals(1, lower.bindingIndex);
    }

    private static CgroupSample apply(long[] limits, long[] usages, long ownUsage, boolean root, long hierarchical) {
        CgroupSample s = new CgroupSample();
        EffectiveLimit.apply(limits, usages, ownUsage, root, hierarchical, s);
        return s;
    }
}
