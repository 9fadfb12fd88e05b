package dev.headroom.internal.budget;

import dev.headroom.Budget.Component;
import dev.headroom.CgroupSnapshot;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static dev.headroom.internal.budget.BudgetCalculator.CODE_CACHE;
import static dev.headroom.internal.budget.BudgetCalculator.DIRECT_BUFFERS;
import static dev.headroom.internal.budget.BudgetCalculator.HEAP;
import static dev.headroom.internal.budget.BudgetCalculator.JVM_NATIVE;
import static dev.headroom.internal.budget.BudgetCalculator.KERNEL;
import static dev.headroom.internal.budget.BudgetCalculator.MAPPED_BUFFERS;
import static dev.headroom.internal.budget.BudgetCalculator.METASPACE;
import static dev.headroom.internal.budget.BudgetCalculator.OTHER_PROCESSES;
import static dev.headroom.internal.budget.BudgetCalculator.PAGE_CACHE;
import static dev.headroom.internal.budget.BudgetCalculator.SHMEM;
import static dev.headroom.internal.budget.BudgetCalculator.THREAD_STACKS;
import static dev.headroom.internal.budget.BudgetCalculator.UNATTRIBUTED;
import static dev.headroom.internal.budget.BudgetCalculator.UNTRACKED_NATIVE;
import static dev.headroom.internal.budget.Snapshots.MIB;
import static dev.headroom.internal.budget.Snapshots.process;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BudgetCalculatorTest {

    /** The invariants every breakdown keeps: all names, largest first, non-negative, adding up exactly. */
    static BudgetCalculator.Result checked(BudgetCalculator.Result r) {
        List<Component> cs = r.components();
        assertEquals(new HashSet<>(BudgetCalculator.NAMES), new HashSet<>(cs.stream().map(Component::name).toList()));
        assertEquals(BudgetCalculator.NAMES.size(), cs.size());
        long sum = 0;
        for (int i = 0; i < cs.size(); i++) {
            assertTrue(cs.get(i).bytes() >= 0, cs.get(i).toString());
            assertFalse(cs.get(i).source().isBlank(), cs.get(i).toString());
            if (i > 0) {
                assertTrue(cs.get(i - 1).bytes() >= cs.get(i).bytes(), "largest first: " + cs);
            }
            sum += cs.get(i).bytes();
        }
        assertEquals(r.workingSetBytes(), sum, "components add up to the working set: " + cs);
        return r;
    }

    static Component component(BudgetCalculator.Result r, String name) {
        return r.components().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void plainJvmWithoutNmt() {
        Snapshots.Cgroup cg = new Snapshots.Cgroup().anon(300).activeFile(40).inactiveFile(100).kernel(20);
        var r = checked(BudgetCalculator.calculate(cg.build(), new Snapshots.Jvm().build(), process(290, 60, 0), false));
        assertEquals(360 * MIB, r.workingSetBytes(), "usage - inactive_file");
        assertEquals(20 * MIB, r.bytes(KERNEL));
        assertEquals(40 * MIB, r.bytes(PAGE_CACHE));
        assertEquals(10 * MIB, r.bytes(OTHER_PROCESSES), "cgroup anon - RssAnon");
        assertEquals(80 * MIB, r.bytes(HEAP), "committed 100 MiB but only 80 MiB ever used");
        assertTrue(component(r, HEAP).estimated());
        assertEquals(30 * MIB, r.bytes(METASPACE));
        assertEquals(10 * MIB, r.bytes(CODE_CACHE));
        assertEquals(20 * MIB, r.bytes(THREAD_STACKS));
        assertTrue(component(r, THREAD_STACKS).estimated());
        assertEquals(0, r.bytes(JVM_NATIVE));
        assertEquals(150 * MIB, r.bytes(UNTRACKED_NATIVE));
        assertEquals(0, r.bytes(UNATTRIBUTED));
        assertEquals(List.of(), r.errors());
    }

    @Test
    void estimatedStacksAreCappedBeforeAnythingMeasured() {
        Snapshots.Cgroup cg = new Snapshots.Cgroup().anon(200).activeFile(10);
        Snapshots.Jvm jvm = new Snapshots.Jvm().heap(90, 100, 100).threads(500);
        var r = checked(BudgetCalculator.calculate(cg.build(), jvm.build(), process(200, 10, 0), false));
        assertEquals(100 * MIB, r.bytes(HEAP));
        assertFalse(component(r, HEAP).estimated());
        assertEquals(60 * MIB, r.bytes(THREAD_STACKS), "500 MiB of reservations cut to what is left");
        assertTrue(component(r, THREAD_STACKS).source().contains("cut from"));
        assertEquals(0, r.bytes(UNTRACKED_NATIVE));
        assertEquals(List.of(), r.errors());
    }

    @Test
    void measuredFiguresAboveRssAnonAreScaledAndSaidSo() {
        Snapshots.Cgroup cg = new Snapshots.Cgroup().anon(100);
        Snapshots.Jvm jvm = new Snapshots.Jvm().heap(90, 100, 100).threads(1);
        var r = checked(BudgetCalculator.calculate(cg.build(), jvm.build(), process(100, 0, 0), false));
        assertEquals(1, r.errors().size(), r.errors().toString());
        assertTrue(r.errors().get(0).contains("exceeds this process's resident anonymous memory"), r.errors().get(0));
        assertEquals(100 * MIB, r.bytes(HEAP) + r.bytes(METASPACE) + r.bytes(CODE_CACHE) + r.bytes(THREAD_STACKS));
        assertEquals(0, r.bytes(UNTRACKED_NATIVE));
        assertTrue(component(r, METASPACE).estimated());
    }

    private static Snapshots.Jvm withNmt() {
        return new Snapshots.Jvm().direct(64)
                .nmt("Java Heap", 100, 100).nmt("Class", 5, 4).nmt("Metaspace", 25, 25).nmt("Code", 12, 10)
                .nmt("Thread", 22, 0).nmtStack(20).nmt("GC", 40, 35).nmt("Compiler", 5, 0)
                .nmt("Other", 66, 0).nmt("Symbol", 3, 0).nmt("Shared class space", 12, 12);
    }

    @Test
    void withNmtDirectBuffersAreNotCountedTwice() {
        Snapshots.Cgroup cg = new Snapshots.Cgroup().anon(400).activeFile(50).kernel(5);
        var r = checked(BudgetCalculator.calculate(cg.build(), withNmt().build(), process(400, 60, 0), false));
        assertEquals(64 * MIB, r.bytes(DIRECT_BUFFERS));
        // Thread 22-20 stack + GC 40 + Compiler 5 + Other 66-64 direct + Symbol 3; not the CDS archive (a file).
        assertEquals(52 * MIB, r.bytes(JVM_NATIVE));
        assertFalse(component(r, JVM_NATIVE).estimated());
        assertEquals(30 * MIB, r.bytes(METASPACE), "NMT Metaspace + Class");
        assertEquals(12 * MIB, r.bytes(CODE_CACHE));
        assertEquals(20 * MIB, r.bytes(THREAD_STACKS));
        assertFalse(component(r, THREAD_STACKS).estimated());
        assertEquals(80 * MIB, r.bytes(HEAP));
        assertEquals((400 - 80 - 30 - 12 - 20 - 64 - 52) * MIB, r.bytes(UNTRACKED_NATIVE));
    }

    @Test
    void withNmtUntouchedMmapGoesFirstThenUntouchedHeap() {
        Snapshots.Cgroup cg = new Snapshots.Cgroup().anon(220);
        var r = checked(BudgetCalculator.calculate(cg.build(), withNmt().build(), process(220, 0, 0), false));
        // Claims 258 MiB on 220: GC's 35 MiB of mmap go, then 3 MiB of heap above its use.
        assertEquals(17 * MIB, r.bytes(JVM_NATIVE));
        assertTrue(component(r, JVM_NATIVE).estimated());
        assertEquals(77 * MIB, r.bytes(HEAP));
        assertTrue(component(r, HEAP).estimated());
        assertEquals(64 * MIB, r.bytes(DIRECT_BUFFERS), "measured figures are not touched");
        assertEquals(0, r.bytes(UNTRACKED_NATIVE));
        assertEquals(List.of(), r.errors());
    }

    @Test
    void preTouchedHeapIsTakenAsCommitted() {
        Snapshots.Cgroup cg = new Snapshots.Cgroup().anon(300);
        var r = checked(BudgetCalculator.calculate(cg.build(), new Snapshots.Jvm().build(), process(300, 0, 0), true));
        assertEquals(100 * MIB, r.bytes(HEAP));
        assertFalse(component(r, HEAP).estimated());
    }

    @Test
    void mappedBuffersComeOutOfThePageCacheNotOnTopOfIt() {
        Snapshots.Cgroup cg = new Snapshots.Cgroup().anon(300).activeFile(300).inactiveFile(500);
        var r = checked(BudgetCalculator.calculate(cg.build(), new Snapshots.Jvm().mapped(100).build(),
                process(300, 150, 0), false));
        assertEquals(100 * MIB, r.bytes(MAPPED_BUFFERS));
        assertTrue(component(r, MAPPED_BUFFERS).estimated());
        assertEquals(200 * MIB, r.bytes(PAGE_CACHE));
        assertEquals(600 * MIB, r.workingSetBytes(), "inactive file is not in the working set");
    }

    @Test
    void mappedBuffersAreAtMostWhatIsResident() {
        Snapshots.Cgroup cg = new Snapshots.Cgroup().anon(300).activeFile(300);
        var r = checked(BudgetCalculator.calculate(cg.build(), new Snapshots.Jvm().mapped(4096).build(),
                process(300, 150, 0), false));
        assertEquals(150 * MIB, r.bytes(MAPPED_BUFFERS), "a 4 GiB mapping of which RssFile shows 150 MiB");
    }

    @Test
    void shmemIsItsOwnComponent() {
        Snapshots.Cgroup cg = new Snapshots.Cgroup().anon(200).shmem(40).activeFile(10);
        var r = checked(BudgetCalculator.calculate(cg.build(), new Snapshots.Jvm().build(), process(200, 10, 0), false));
        assertEquals(40 * MIB, r.bytes(SHMEM));
        assertEquals(10 * MIB, r.bytes(PAGE_CACHE), "active_file does not hold shmem pages");
    }

    @Test
    void zgcHeapIsTakenOutOfShmem() {
        Snapshots.Cgroup cg = new Snapshots.Cgroup().anon(100).shmem(250);
        Snapshots.Jvm jvm = new Snapshots.Jvm().collector("ZGC").heap(100, 150, 200);
        var r = checked(BudgetCalculator.calculate(cg.build(), jvm.build(), process(100, 0, 180), false));
        assertEquals(180 * MIB, r.bytes(HEAP), "resident heap is RssShmem");
        assertEquals(70 * MIB, r.bytes(SHMEM), "the rest of shmem is tmpfs");
        assertEquals(40 * MIB, r.bytes(UNTRACKED_NATIVE));
    }

    @Test
    void kernelFromItsPartsWhenThereIsNoKernelKey() {
        Snapshots.Cgroup cg = new Snapshots.Cgroup().anon(100)
                .noKernelKey(Map.of("kernel_stack", 2 * MIB, "slab", 10 * MIB, "sock", MIB, "percpu", MIB, "pagetables", 2 * MIB));
        var r = checked(BudgetCalculator.calculate(cg.build(), new Snapshots.Jvm().build(), process(100, 0, 0), false));
        assertEquals(16 * MIB, r.bytes(KERNEL));
        assertTrue(component(r, KERNEL).source().contains("slab"));
    }

    @Test
    void withoutACgroupTheWorkingSetIsTheProcessRss() {
        var r = checked(BudgetCalculator.calculate(Snapshots.noCgroup(), new Snapshots.Jvm().build(),
                process(200, 50, 10), false));
        assertEquals(260 * MIB, r.workingSetBytes());
        assertEquals(0, r.bytes(KERNEL));
        assertEquals(10 * MIB, r.bytes(SHMEM));
        assertEquals(50 * MIB, r.bytes(PAGE_CACHE));
        assertEquals(0, r.bytes(OTHER_PROCESSES));
        assertTrue(r.headroomBytes().isEmpty());
    }

    @Test
    void unattributedIsShownNotHidden() {
        Snapshots.Cgroup cg = new Snapshots.Cgroup().anon(100).activeFile(10).usageExtra(30 * MIB);
        var r = checked(BudgetCalculator.calculate(cg.build(), new Snapshots.Jvm().build(), process(100, 10, 0), false));
        assertEquals(30 * MIB, r.bytes(UNATTRIBUTED));
    }

    @Test
    void readingsThatDoNotFitAreCutAndReported() {
        // usage was read after memory was freed: the stat's parts add up to more than the working set.
        Snapshots.Cgroup cg = new Snapshots.Cgroup().anon(100).activeFile(50).kernel(20).usageExtra(-60 * MIB);
        var r = checked(BudgetCalculator.calculate(cg.build(), new Snapshots.Jvm().build(), process(100, 50, 0), false));
        assertEquals(110 * MIB, r.workingSetBytes());
        assertEquals(0, r.bytes(UNATTRIBUTED));
        assertTrue(r.errors().stream().anyMatch(e -> e.contains("did not fit")), r.errors().toString());
    }

    @Test
    void aSmallMisfitIsNoiseNotNews() {
        // 10 MiB too many: per-CPU batched statistics read a moment apart disagree that much.
        Snapshots.Cgroup cg = new Snapshots.Cgroup().anon(300).activeFile(50).kernel(24).usageExtra(-10 * MIB);
        var r = checked(BudgetCalculator.calculate(cg.build(), new Snapshots.Jvm().build(), process(300, 50, 0), false));
        assertEquals(List.of(), r.errors());
    }

    @Test
    void headroomIsTheBindingConstraint() {
        CgroupSnapshot bound = new Snapshots.Cgroup().anon(100).limit(1000).binding("/pod", 800, 700).build();
        var r = BudgetCalculator.calculate(bound, new Snapshots.Jvm().build(), process(100, 0, 0), false);
        assertEquals(100 * MIB, r.headroomBytes().getAsLong());
        Snapshots.Cgroup limited = new Snapshots.Cgroup().anon(100).inactiveFile(50).limit(1000);
        var r2 = BudgetCalculator.calculate(limited.build(), new Snapshots.Jvm().build(), process(100, 0, 0), false);
        assertEquals(1000 * MIB - limited.usage(), r2.headroomBytes().getAsLong());
        var r3 = BudgetCalculator.calculate(new Snapshots.Cgroup().anon(100).build(), new Snapshots.Jvm().build(),
                process(100, 0, 0), false);
        assertTrue(r3.headroomBytes().isEmpty(), "unlimited");
    }

    @Test
    void pagesChargedElsewhereDoNotInflateTheProcessShare() {
        // RssAnon counts pages first touched before the process joined this cgroup; they are not charged here.
        Snapshots.Cgroup cg = new Snapshots.Cgroup().anon(150);
        var r = checked(BudgetCalculator.calculate(cg.build(), new Snapshots.Jvm().build(), process(200, 0, 0), false));
        assertEquals(150 * MIB, r.workingSetBytes());
        assertEquals(0, r.bytes(OTHER_PROCESSES));
        assertEquals(0, r.bytes(UNATTRIBUTED));
        assertEquals(List.of(), r.errors());
    }
}
