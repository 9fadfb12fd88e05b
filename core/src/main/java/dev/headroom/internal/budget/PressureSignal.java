package dev.headroom.internal.budget;

import dev.headroom.Budget;

import java.util.Optional;

/**
 * The figure warnAt, criticalAt, heapDumpAt and exitAt are compared with: the working set less its
 * {@code page_cache} component (active file pages). The kernel reclaims clean file cache, active or
 * not, before it OOM-kills (the OOM killer runs only when reclaim fails), so a process that reads
 * and writes files can fill its cgroup with page cache without being in danger: judging the raw
 * working set made such a process dump its heap and exit (the agent's FalseAlarmE2EIT, 1.5 GiB of
 * files through a 200 MiB cgroup: working set 97% of the limit, 81% of it page cache). As anonymous
 * memory grows the kernel squeezes the cache, so this figure converges to the working set exactly
 * when an OOM kill comes near. Shared memory (tmpfs) is its own component and is not subtracted:
 * it cannot be reclaimed without swap.
 */
public final class PressureSignal {
    private PressureSignal() {
    }

    public static long of(Budget budget) {
        Optional<Budget.Component> pageCache = budget.component("page_cache");
        long cache = pageCache.isPresent() ? pageCache.get().bytes() : 0;
        return Math.max(0, budget.workingSetBytes() - Math.max(0, cache));
    }
}
