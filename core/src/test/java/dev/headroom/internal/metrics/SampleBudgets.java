package dev.headroom.internal.metrics;

import dev.headroom.Budget;
import dev.headroom.CgroupSnapshot;
import dev.headroom.Constraint;
import dev.headroom.GovernorState;
import dev.headroom.JvmSnapshot;
import dev.headroom.PressureLevel;
import dev.headroom.ProcessSnapshot;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Budgets with known figures for publisher tests (here, in headroom-micrometer and in the agent):
 * one where every reading is present (cgroup v2, PSI, NMT on, governor busy) and one from a JVM
 * without a memory controller.
 */
public final class SampleBudgets {
    public static final long MIB = 1024L * 1024;

    private SampleBudgets() {
    }

    /** Every meter can be backed: v2 with limit, memory.high, swap, PSI, events, NMT and a soft limit. */
    public static Budget full() {
        return full(PressureLevel.WARN, 3, 7);
    }

    /** {@link #full()} with the given level and governor counters. */
    public static Budget full(PressureLevel level, long actions, long oomKills) {
        CgroupSnapshot.MemoryStat stat = new CgroupSnapshot.MemoryStat(
                Map.of("anon", 300 * MIB, "file", 150 * MIB, "kernel", 12 * MIB, "shmem", 5 * MIB,
                        "inactive_file", 100 * MIB, "active_file", 50 * MIB),
                OptionalLong.of(300 * MIB), OptionalLong.of(150 * MIB), OptionalLong.of(12 * MIB),
                OptionalLong.of(5 * MIB), OptionalLong.of(MIB), OptionalLong.of(20 * MIB),
                OptionalLong.of(50 * MIB), OptionalLong.of(100 * MIB), OptionalLong.of(8 * MIB));
        CgroupSnapshot.Pressure psi = new CgroupSnapshot.Pressure(1.5, 0.75, 0.25, 2_500_000,
                OptionalDouble.of(0.5), OptionalDouble.of(0.25), OptionalDouble.of(0.125), OptionalLong.of(1_250_000));
        CgroupSnapshot cg = CgroupSnapshot.builder()
                .version(2)
                .memoryDir("/sys/fs/cgroup/kubepods/pod1/ctr")
                .hostMemoryBytes(OptionalLong.of(16_000 * MIB))
                .limitBytes(OptionalLong.of(1024 * MIB))
                .limitSource("/sys/fs/cgroup/kubepods/pod1/ctr")
                .highBytes(OptionalLong.of(900 * MIB))
                .usageBytes(OptionalLong.of(470 * MIB))
                .workingSetBytes(OptionalLong.of(370 * MIB))
                .peakBytes(OptionalLong.of(600 * MIB))
                .swapUsageBytes(OptionalLong.of(2 * MIB))
                .swapLimitBytes(OptionalLong.of(512 * MIB))
                .stat(stat)
                .events(Map.of("low", 0L, "high", 11L, "max", 4L, "oom", 2L, "oom_kill", oomKills, "oom_group_kill", 0L))
                .pressure(psi)
                .binding(new CgroupSnapshot.Binding("/sys/fs/cgroup/kubepods/pod1/ctr", 1024 * MIB, 470 * MIB))
                .pids(new CgroupSnapshot.Pids("/sys/fs/cgroup/kubepods/pod1", 31, 4096))
                .build();
        JvmSnapshot jvm = JvmSnapshot.builder()
                .collector("G1")
                .heapUsedBytes(120 * MIB)
                .heapCommittedBytes(200 * MIB)
                .heapMaxBytes(OptionalLong.of(512 * MIB))
                .maxDirectMemoryBytes(OptionalLong.of(512 * MIB))
                .threadCount(25)
                .threadStackBytes(25 * MIB)
                .threadStackEstimated(false)
                .gcCount(10)
                .gcTimeMillis(150)
                .nmt(Map.of("Java Heap", new JvmSnapshot.NmtCategory("Java Heap", 512 * MIB, 200 * MIB),
                        "Class", new JvmSnapshot.NmtCategory("Class", 1024 * MIB, 40 * MIB),
                        "Thread", new JvmSnapshot.NmtCategory("Thread", 30 * MIB, 25 * MIB)))
                .nmtEnabled(true)
                .nmtTotalCommittedBytes(OptionalLong.of(265 * MIB))
                .build();
        ProcessSnapshot proc = ProcessSnapshot.builder()
                .rssBytes(OptionalLong.of(330 * MIB))
                .rssAnonBytes(OptionalLong.of(300 * MIB))
                .rssFileBytes(OptionalLong.of(25 * MIB))
                .rssShmemBytes(OptionalLong.of(5 * MIB))
                .swapBytes(OptionalLong.of(0))
                .build();
        List<Budget.Component> components = List.of(
                new Budget.Component("heap", 200 * MIB, "MemoryMXBean", false),
                new Budget.Component("page_cache", 50 * MIB, "memory.stat:active_file", false),
                new Budget.Component("metaspace", 40 * MIB, "NMT", false),
                new Budget.Component("thread_stacks", 25 * MIB, "NMT", false),
                new Budget.Component("kernel", 12 * MIB, "memory.stat:kernel", false),
                new Budget.Component("shmem", 5 * MIB, "memory.stat:shmem", false),
                new Budget.Component("unattributed", 38 * MIB, "remainder", true));
        GovernorState gov = new GovernorState(level, OptionalLong.of(800 * MIB), false, actions, 64 * MIB, 1, 1, 2);
        return Budget.builder()
                .timeMillis(1_700_000_000_000L)
                .cgroup(cg)
                .jvm(jvm)
                .process(proc)
                .components(components)
                .workingSetBytes(370 * MIB)
                .limitBytes(OptionalLong.of(1024 * MIB))
                .headroomBytes(OptionalLong.of(554 * MIB))
                .growthBytesPerSecond(OptionalDouble.of(MIB))
                .secondsToLimit(OptionalDouble.of(554.0))
                .sizingCheck(new Budget.SizingCheck(true, true, 900 * MIB, 1024 * MIB, List.of()))
                .recommendation(new Budget.Recommendation(true, 3600, 3600, 512 * MIB, 50.0, 64 * MIB, 600 * MIB, 900 * MIB,
                        List.of("observed for an hour")))
                .governor(gov)
                .constraints(List.of(
                        new Constraint(Constraint.CGROUP, 320 * MIB, 1024 * MIB, "/sys/fs/cgroup/kubepods/pod1/ctr", true,
                                OptionalDouble.of(MIB), OptionalDouble.of(704.0)),
                        new Constraint(Constraint.HEAP, 150 * MIB, 512 * MIB, "max heap (-Xmx / MaxHeapSize)", true,
                                OptionalDouble.empty(), OptionalDouble.empty())))
                .build();
    }

    /** A JVM with no memory controller (a laptop, or a cgroup not mounted): RSS is the working set. */
    public static Budget noController() {
        CgroupSnapshot cg = CgroupSnapshot.builder()
                .hostMemoryBytes(OptionalLong.of(16_000 * MIB))
                .errors(List.of("no memory controller in /proc/self/cgroup"))
                .build();
        JvmSnapshot jvm = JvmSnapshot.builder()
                .collector("Serial")
                .heapUsedBytes(10 * MIB)
                .heapCommittedBytes(16 * MIB)
                .heapMaxBytes(OptionalLong.of(256 * MIB))
                .threadCount(8)
                .threadStackBytes(8 * MIB)
                .gcCount(1)
                .gcTimeMillis(3)
                .build();
        return Budget.builder()
                .timeMillis(1_700_000_000_000L)
                .cgroup(cg)
                .jvm(jvm)
                .process(ProcessSnapshot.builder().rssBytes(OptionalLong.of(60 * MIB)).build())
                .components(List.of(new Budget.Component("heap", 16 * MIB, "MemoryMXBean", false),
                        new Budget.Component("unattributed", 44 * MIB, "remainder", true)))
                .workingSetBytes(60 * MIB)
                .recommendation(Budget.Recommendation.notYet(0, 1))
                .build();
    }
}
