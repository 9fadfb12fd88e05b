package dev.headroom.internal.budget;

import dev.headroom.Budget.Component;
import dev.headroom.CgroupSnapshot;
import dev.headroom.CgroupSnapshot.MemoryStat;
import dev.headroom.JvmSnapshot;
import dev.headroom.JvmSnapshot.BufferPool;
import dev.headroom.JvmSnapshot.NmtCategory;
import dev.headroom.JvmSnapshot.Pool;
import dev.headroom.ProcessSnapshot;
import dev.headroom.internal.jvm.JvmFlavour;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Splits the container's working set into components that add up to it exactly. Pure: the same
 * snapshots give the same breakdown.
 *
 * <h2>The arithmetic</h2>
 * The working set is {@code usage - inactive_file} (what the kubelet and cAdvisor judge). On both
 * cgroup versions {@code usage ≈ anon + file + kernel}, and {@code file} counts shmem/tmpfs pages although
 * they sit on the anon LRU lists; the LRU counters are list-based, so {@code active_file} and
 * {@code inactive_file} do not include shmem (Documentation/admin-guide/cgroup-v2.rst, memory.stat:
 * "shmem pages are on anon memory management lists"). Hence
 * {@code working set ≈ kernel + shmem + active_file + anon}, taken in that order, each capped by what
 * is left so the sum never exceeds the working set:
 * <ol>
 *   <li>{@code kernel}: v2 {@code kernel} (or kernel_stack + pagetables + percpu + sock + vmalloc + slab),
 *       v1 kmem usage (v1 charges kmem to the memory counter too).</li>
 *   <li>{@code shmem}: {@code memory.stat shmem}, minus ZGC's heap, which is a memfd and so shmem.</li>
 *   <li>{@code active_file}, split into {@code mapped_buffers} (mapped byte buffers are file pages
 *       already in the page cache: counted once, here, at most min(mapped capacity, RssFile,
 *       active_file) — an upper bound, so marked estimated) and {@code page_cache}, the rest.</li>
 *   <li>this process's resident anonymous memory: {@code RssAnon} (capped by the cgroup's anon; pages
 *       first touched in another cgroup are not charged here), plus ZGC's resident heap taken from
 *       shmem. It is split into the JVM components below and {@code untracked_native}.</li>
 *   <li>{@code other_processes}: {@code max(0, cgroup anon - RssAnon)}: anonymous memory of other
 *       processes in the cgroup (their shmem is already in {@code shmem}).</li>
 *   <li>{@code unattributed}: whatever is left. Always present, never hidden.</li>
 * </ol>
 * Without a memory cgroup the working set is this process's RSS, split the same way with
 * {@code RssShmem} as shmem, {@code RssFile} as page cache and no kernel or other processes.
 *
 * <h2>How JVM figures relate to RssAnon</h2>
 * Committed is not resident: the kernel charges a page when it is first touched. So the JVM's figures
 * are claims on the process's resident anonymous memory, trusted in this order:
 * <ul>
 *   <li>direct buffers: exact ({@code ByteBuffer.allocateDirect} zeroes its memory, so all of it is touched);</li>
 *   <li>thread stacks with NMT: exact (HotSpot measures resident stack pages with mincore);</li>
 *   <li>metaspace and code cache: committed, which HotSpot commits in small steps as it fills them;</li>
 *   <li>JVM native (NMT, other categories): malloc and arena memory is in use, so trusted; memory NMT
 *       saw committed with mmap (GC mark stack, bitmaps) is often never touched, so it is the first to go;</li>
 *   <li>heap: its resident pages counted in pagemap when the caller has them ({@link Hints}); else
 *       committed heap, but at most the pools' peak use (committed beyond that has never been written,
 *       unless {@code AlwaysPreTouch}); may be cut down to the heap's current use;</li>
 *   <li>thread stacks without NMT: live threads × the stack pages HotSpot touches when a thread starts
 *       (its shadow zone, about 96 KiB), an estimate, cut first.</li>
 * </ul>
 * When the claims exceed the resident anon memory they are cut in that order (estimated stacks, NMT
 * mmap, heap above its use), each cut component is marked estimated, and if measured figures alone
 * still exceed it they are scaled to fit and the errors say by how much. {@code untracked_native} is
 * what is left: malloc by JNI libraries and zlib, glibc arenas holding freed memory, and (without NMT)
 * the JVM's own GC, compiler and symbol memory.
 */
public final class BudgetCalculator {
    /** Largest first, then by name; a class, not a comparator chain of lambdas, as it is used at start. */
    private static final Comparator<Component> LARGEST_FIRST = new Comparator<>() {
        @Override
        public int compare(Component a, Component b) {
            int bySize = Long.compare(b.bytes(), a.bytes());
            return bySize != 0 ? bySize : a.name().compareTo(b.name());
        }
    };

    public static final String HEAP = "heap";
    public static final String METASPACE = "metaspace";
    public static final String CODE_CACHE = "code_cache";
    public static final String THREAD_STACKS = "thread_stacks";
    public static final String DIRECT_BUFFERS = "direct_buffers";
    public static final String MAPPED_BUFFERS = "mapped_buffers";
    public static final String JVM_NATIVE = "jvm_native";
    public static final String UNTRACKED_NATIVE = "untracked_native";
    public static final String PAGE_CACHE = "page_cache";
    public static final String SHMEM = "shmem";
    public static final String KERNEL = "kernel";
    public static final String OTHER_PROCESSES = "other_processes";
    public static final String UNATTRIBUTED = "unattributed";

    /** Every component name, in the order of the arithmetic. */
    public static final List<String> NAMES = List.of(KERNEL, SHMEM, MAPPED_BUFFERS, PAGE_CACHE, HEAP, METASPACE,
            CODE_CACHE, THREAD_STACKS, DIRECT_BUFFERS, JVM_NATIVE, UNTRACKED_NATIVE, OTHER_PROCESSES, UNATTRIBUTED);

    /** Disagreement between readings, as a share of the memory compared, treated as noise. */
    static final double SKEW = 0.02;

    /**
     * memory.stat counters lag the usage counter: the kernel batches statistics per CPU
     * (MEMCG_CHARGE_BATCH, 64 pages a CPU) and the files are read at slightly different moments. A
     * component cut to fit by less than this (or {@link #SKEW} of the working set) is noise, not news.
     */
    static final long MISFIT_NOISE_BYTES = 16L << 20;

    // v2 memory.stat keys that make up kernel memory when the kernel does not print `kernel` (before 5.18).
    private static final List<String> V2_KERNEL_PARTS =
            List.of("kernel_stack", "pagetables", "sec_pagetables", "percpu", "sock", "vmalloc", "slab");

    /**
     * @param components      all {@link #NAMES}, largest first; they add up to {@code workingSetBytes}
     * @param workingSetBytes the cgroup's working set, or this process's RSS without a memory cgroup; -1
     *                        when there is a memory cgroup but its working set could not be read (the
     *                        components then split this process's RSS, and the errors say so)
     * @param headroomBytes   the binding constraint's {@code limit - usage}; empty when unlimited
     * @param errors          readings missing or inconsistent, each naming the source
     */
    public record Result(List<Component> components, long workingSetBytes, OptionalLong headroomBytes,
                         List<String> errors) {
        public Result {
            components = List.copyOf(components);
            errors = List.copyOf(errors);
        }

        public long bytes(String name) {
            for (Component c : components) {
                if (c.name().equals(name)) {
                    return c.bytes();
                }
            }
            return 0;
        }
    }

    private BudgetCalculator() {
    }

    /**
     * What the snapshots do not carry but sharpens the split.
     *
     * @param heapPreTouched              the JVM runs with {@code AlwaysPreTouch}: all committed heap is resident
     * @param residentStackPerThreadBytes without NMT, thread stacks are estimated as live threads times
     *                                    this; 0 to use the snapshot's threads × stack size
     * @param heapResidentBytes           the heap's resident bytes, counted from pagemap; empty when unknown
     * @param heapResidentSource          how {@code heapResidentBytes} was obtained, for the component's source
     */
    public record Hints(boolean heapPreTouched, long residentStackPerThreadBytes, OptionalLong heapResidentBytes,
                        String heapResidentSource) {

        public static Hints none() {
            return new Hints(false, 0, OptionalLong.empty(), null);
        }
    }

    /**
     * @param heapPreTouched the JVM runs with {@code AlwaysPreTouch}: all committed heap is resident
     */
    public static Result calculate(CgroupSnapshot cgroup, JvmSnapshot jvm, ProcessSnapshot process,
                                   boolean heapPreTouched) {
        return calculate(cgroup, jvm, process, new Hints(heapPreTouched, 0, OptionalLong.empty(), null));
    }

    public static Result calculate(CgroupSnapshot cgroup, JvmSnapshot jvm, ProcessSnapshot process, Hints hints) {
        return new Calculation(cgroup, jvm, process, hints).run();
    }

    /** One calculation's working state. */
    private static final class Calculation {
        private final CgroupSnapshot cgroup;
        private final JvmSnapshot jvm;
        private final ProcessSnapshot process;
        private final Hints hints;
        private final List<String> errors = new ArrayList<>();
        private final List<Component> components = new ArrayList<>();
        private long room;
        private long misfitNoise;

        Calculation(CgroupSnapshot cgroup, JvmSnapshot jvm, ProcessSnapshot process, Hints hints) {
            this.cgroup = cgroup;
            this.jvm = jvm;
            this.process = process;
            this.hints = hints;
        }

        Result run() {
            boolean inCgroup = cgroup != null && cgroup.available() && cgroup.workingSetBytes().isPresent();
            long workingSet;
            if (inCgroup) {
                workingSet = cgroup.workingSetBytes().getAsLong();
            } else if (process.rssBytes().isPresent()) {
                workingSet = process.rssBytes().getAsLong();
                if (cgroup != null && cgroup.available()) {
                    errors.add("budget: the cgroup's working set could not be read; the components split this"
                            + " process's RSS instead");
                }
            } else {
                workingSet = 0;
                errors.add("budget: no working set: neither a memory cgroup nor /proc/self/status VmRSS could be read");
            }
            boolean workingSetKnown = inCgroup || (process.rssBytes().isPresent() && (cgroup == null || !cgroup.available()));
            room = workingSet;
            misfitNoise = Math.max((long) (workingSet * SKEW), MISFIT_NOISE_BYTES);

            long rssAnon = rssAnon();
            long rssFile = process.rssFileBytes().orElse(0);
            long rssShmem = process.rssShmemBytes().orElse(0);
            boolean heapInShmem = JvmFlavour.heapInSharedMemory(jvm.collector());
            long mappedCapacity = mappedBufferBytes();

            long heapShmem;
            long processAnon;
            long otherProcesses = 0;
            String otherSource;
            if (inCgroup) {
                MemoryStat stat = cgroup.stat();
                long kernel = kernel(stat);
                add(KERNEL, take(KERNEL, kernel), kernelSource(stat), false);
                long shmemTotal = take(SHMEM, stat == null ? 0 : stat.shmem().orElse(0));
                heapShmem = heapInShmem ? Math.min(Math.min(jvm.heapCommittedBytes(), rssShmem), shmemTotal) : 0;
                add(SHMEM, shmemTotal - heapShmem, heapShmem > 0 ? "memory.stat:shmem - ZGC heap (RssShmem)"
                        : "memory.stat:shmem", false);
                long activeFile = take(PAGE_CACHE, stat == null ? 0 : stat.activeFile().orElse(0));
                long mapped = Math.min(Math.min(mappedCapacity, rssFile), activeFile);
                add(MAPPED_BUFFERS, mapped, "BufferPoolMXBean mapped, at most RssFile and active_file", true);
                add(PAGE_CACHE, activeFile - mapped, mapped > 0 ? "memory.stat:active_file - mapped_buffers"
                        : "memory.stat:active_file", false);
                long cgroupAnon = stat == null ? -1 : stat.anon().orElse(-1);
                long anon = cgroupAnon >= 0 ? Math.min(rssAnon, cgroupAnon) : rssAnon;
                processAnon = take("this process's anonymous memory", anon);
                if (cgroupAnon >= 0) {
                    otherProcesses = Math.max(0, cgroupAnon - rssAnon);
                    otherSource = "memory.stat:anon - RssAnon";
                } else {
                    otherSource = "n/a: memory.stat has no anon";
                }
            } else {
                add(KERNEL, 0, "n/a: no memory cgroup", false);
                heapShmem = heapInShmem ? Math.min(jvm.heapCommittedBytes(), rssShmem) : 0;
                long shmem = take(SHMEM, rssShmem);
                heapShmem = Math.min(heapShmem, shmem);
                add(SHMEM, shmem - heapShmem, "/proc/self/status:RssShmem", false);
                long file = take(PAGE_CACHE, rssFile);
                long mapped = Math.min(mappedCapacity, file);
                add(MAPPED_BUFFERS, mapped, "BufferPoolMXBean mapped, at most RssFile", true);
                add(PAGE_CACHE, file - mapped, "/proc/self/status:RssFile", false);
                processAnon = take("this process's anonymous memory", rssAnon);
                otherSource = "n/a: no memory cgroup";
            }
            splitProcessMemory(processAnon + heapShmem, heapShmem, heapInShmem);
            add(OTHER_PROCESSES, take(OTHER_PROCESSES, otherProcesses), otherSource, false);
            add(UNATTRIBUTED, room, "working set - all components above", false);

            components.sort(LARGEST_FIRST);
            // A cgroup whose working set cannot be read has none to report, whatever the split rests on.
            long reported = workingSetKnown ? workingSet : -1;
            return new Result(components, reported, headroom(), errors);
        }

        private boolean processKnown = true;

        private long rssAnon() {
            if (process.rssAnonBytes().isPresent()) {
                return process.rssAnonBytes().getAsLong();
            }
            if (process.rssBytes().isPresent()) {
                errors.add("budget: /proc/self/status has no RssAnon (Linux < 4.5): process memory taken as VmRSS"
                        + " - RssFile - RssShmem");
                return Math.max(0, process.rssBytes().getAsLong() - process.rssFileBytes().orElse(0)
                        - process.rssShmemBytes().orElse(0));
            }
            errors.add("budget: /proc/self/status could not be read: the JVM's memory is not split from the rest");
            processKnown = false;
            return 0;
        }

        /**
         * Splits this process's resident anonymous memory (plus ZGC's shmem heap) among the JVM's
         * components and untracked native memory.
         */
        private void splitProcessMemory(long available, long heapShmem, boolean heapInShmem) {
            Map<String, NmtCategory> nmt = jvm.nmtEnabled() ? jvm.nmt() : Map.of();
            boolean withNmt = !nmt.isEmpty();

            Claim heap;
            if (heapInShmem) {
                heap = new Claim(HEAP, heapShmem, Math.min(jvm.heapUsedBytes(), heapShmem),
                        "RssShmem (ZGC's heap is a memfd), at most committed heap", false);
            } else if (hints.heapResidentBytes().isPresent()) {
                long committed = jvm.heapCommittedBytes();
                long resident = Math.min(committed, Math.max(hints.heapResidentBytes().getAsLong(),
                        Math.min(jvm.heapUsedBytes(), committed)));
                heap = new Claim(HEAP, resident, Math.min(jvm.heapUsedBytes(), resident),
                        hints.heapResidentSource() == null ? "pagemap: resident pages of the heap" : hints.heapResidentSource(),
                        false);
            } else if (hints.heapPreTouched()) {
                heap = new Claim(HEAP, jvm.heapCommittedBytes(), jvm.heapUsedBytes(),
                        "MemoryMXBean heap committed (AlwaysPreTouch)", false);
            } else {
                long touched = Math.max(jvm.heapPeakUsedBytes(), jvm.heapUsedBytes());
                long claim = Math.min(jvm.heapCommittedBytes(), touched);
                heap = new Claim(HEAP, claim, Math.min(jvm.heapUsedBytes(), claim),
                        claim < jvm.heapCommittedBytes()
                                ? "MemoryMXBean heap committed, at most the pools' peak used (never-touched heap is not resident)"
                                : "MemoryMXBean heap committed", claim < jvm.heapCommittedBytes());
            }

            long direct = bufferPool(JvmFlavour.DIRECT_BUFFER_POOL);
            Claim directClaim = new Claim(DIRECT_BUFFERS, direct, direct, "BufferPoolMXBean direct", false);

            Claim metaspace;
            Claim code;
            Claim nativeMalloc;
            Claim nativeMmap;
            if (withNmt) {
                metaspace = fixed(METASPACE, committed(nmt, JvmFlavour.NMT_METASPACE) + committed(nmt, JvmFlavour.NMT_CLASS),
                        "NMT Metaspace + Class committed", false);
                code = fixed(CODE_CACHE, committed(nmt, JvmFlavour.NMT_CODE), "NMT Code committed", false);
                long malloc = 0;
                long mmap = 0;
                for (NmtCategory c : nmt.values()) {
                    if (JvmFlavour.isNmtCategoryReportedElsewhere(c.name())) {
                        continue;
                    }
                    if (c.name().equals(JvmFlavour.NMT_THREAD)) {
                        // Its stack is thread_stacks; the rest of the category is malloc and arenas.
                        malloc += Math.max(0, c.committedBytes() - (jvm.threadStackEstimated() ? 0 : jvm.threadStackBytes()));
                    } else if (c.name().equals(JvmFlavour.NMT_OTHER)) {
                        // Unsafe.allocateMemory, so every direct buffer, is counted here: don't count them twice.
                        malloc += Math.max(0, c.mallocAndArenaBytes() - direct);
                        mmap += c.mmapCommittedBytes();
                    } else {
                        malloc += c.mallocAndArenaBytes();
                        mmap += c.mmapCommittedBytes();
                    }
                }
                nativeMalloc = fixed(JVM_NATIVE, malloc, "NMT", false);
                nativeMmap = new Claim(JVM_NATIVE, mmap, 0, "NMT", false);
            } else {
                metaspace = fixed(METASPACE, poolCommitted(JvmFlavour.PoolKind.METASPACE), "MemoryPool Metaspace committed", false);
                code = fixed(CODE_CACHE, poolCommitted(JvmFlavour.PoolKind.CODE_CACHE), "MemoryPools of the code cache, committed", false);
                nativeMalloc = fixed(JVM_NATIVE, 0, "n/a: NMT is off (the JVM's own native memory is in untracked_native)", false);
                nativeMmap = new Claim(JVM_NATIVE, 0, 0, "", false);
            }
            Claim stacks;
            if (!jvm.threadStackEstimated()) {
                stacks = fixed(THREAD_STACKS, jvm.threadStackBytes(), "NMT Thread stack committed (resident pages)", false);
            } else if (hints.residentStackPerThreadBytes() > 0) {
                stacks = new Claim(THREAD_STACKS, jvm.threadCount() * hints.residentStackPerThreadBytes(), 0,
                        "live threads x " + hints.residentStackPerThreadBytes()
                                + " bytes (the stack shadow zone HotSpot touches + a few frames; NMT off)", true);
            } else {
                stacks = new Claim(THREAD_STACKS, jvm.threadStackBytes(), 0,
                        "live threads x ThreadStackSize (NMT off: reserved, not resident)", true);
            }

            List<Claim> all = List.of(heap, metaspace, code, stacks, directClaim, nativeMalloc, nativeMmap);
            long over = sum(all) - available;
            // Cut the least certain claims first.
            if (over > 0 && stacks.estimated) {
                over -= stacks.cut(over);
            }
            if (over > 0) {
                over -= nativeMmap.cut(over);
            }
            if (over > 0) {
                over -= heap.cut(over);
            }
            if (over > 0) {
                long total = sum(all);
                // Readings from different files at slightly different moments disagree a little; up to
                // SKEW of the process's memory is that noise, scaled away silently. More is reported.
                boolean skew = over <= available * SKEW || !processKnown;
                if (!skew) {
                    errors.add("budget: the JVM's measured memory (" + total + " bytes) exceeds this process's resident"
                            + " anonymous memory (" + available + " bytes) by " + over
                            + " bytes (readings taken at different moments); JVM components scaled to fit");
                }
                double scale = available / (double) total;
                long left = available;
                Claim largest = heap;
                for (Claim c : all) {
                    long scaled = Math.min(left, (long) Math.floor(c.bytes * scale));
                    c.estimated |= !skew && scaled != c.bytes;
                    c.bytes = scaled;
                    left -= scaled;
                    largest = c.bytes > largest.bytes ? c : largest;
                }
                largest.bytes += left; // the rounding remainder, so the JVM's share stays exactly what there is
            }
            add(HEAP, heap.bytes, heap.sourceWithCut(), heap.estimated);
            add(METASPACE, metaspace.bytes, metaspace.sourceWithCut(), metaspace.estimated);
            add(CODE_CACHE, code.bytes, code.sourceWithCut(), code.estimated);
            add(THREAD_STACKS, stacks.bytes, stacks.sourceWithCut(), stacks.estimated);
            add(DIRECT_BUFFERS, directClaim.bytes, directClaim.source, directClaim.estimated);
            String nativeSource = !withNmt ? nativeMalloc.source
                    : nativeMmap.bytes < nativeMmap.requested
                    ? "NMT committed outside heap, metaspace, code, stacks and direct buffers; mmap part cut to fit RssAnon"
                    : "NMT committed outside heap, metaspace, code, stacks and direct buffers";
            add(JVM_NATIVE, nativeMalloc.bytes + nativeMmap.bytes, nativeSource,
                    nativeMalloc.estimated || nativeMmap.bytes < nativeMmap.requested);
            long used = sum(all);
            add(UNTRACKED_NATIVE, Math.max(0, available - used), withNmt
                    ? "RssAnon - JVM components (native memory NMT does not track)"
                    : "RssAnon - JVM components (NMT off: includes the JVM's own GC, compiler and symbol memory)",
                    true);
        }

        private long poolCommitted(JvmFlavour.PoolKind kind) {
            long total = 0;
            for (Pool p : jvm.pools()) {
                if (JvmFlavour.poolKind(p.name(), p.heap()) == kind) {
                    total += p.committedBytes();
                }
            }
            return total;
        }

        private long bufferPool(String name) {
            for (BufferPool b : jvm.bufferPools()) {
                if (b.name().equals(name)) {
                    return Math.max(0, b.usedBytes());
                }
            }
            return 0;
        }

        private long mappedBufferBytes() {
            long total = 0;
            for (BufferPool b : jvm.bufferPools()) {
                if (JvmFlavour.isMappedBufferPool(b.name())) {
                    total += Math.max(0, b.usedBytes());
                }
            }
            return total;
        }

        private OptionalLong headroom() {
            if (cgroup == null || !cgroup.available()) {
                return OptionalLong.empty();
            }
            if (cgroup.binding() != null) {
                return OptionalLong.of(cgroup.binding().headroomBytes());
            }
            if (cgroup.limitBytes().isPresent() && cgroup.usageBytes().isPresent()) {
                return OptionalLong.of(cgroup.limitBytes().getAsLong() - cgroup.usageBytes().getAsLong());
            }
            return OptionalLong.empty();
        }

        private static long kernel(MemoryStat stat) {
            if (stat == null) {
                return 0;
            }
            if (stat.kernel().isPresent()) {
                return stat.kernel().getAsLong();
            }
            long sum = 0;
            for (String key : V2_KERNEL_PARTS) {
                Long v = stat.all().get(key);
                if (v != null) {
                    sum += v;
                }
            }
            return sum;
        }

        private static String kernelSource(MemoryStat stat) {
            if (stat == null) {
                return "n/a: no memory.stat";
            }
            if (stat.kernel().isPresent()) {
                return "memory.stat:kernel (v1: kmem usage)";
            }
            for (String key : V2_KERNEL_PARTS) {
                if (stat.all().containsKey(key)) {
                    return "memory.stat:" + String.join("+", V2_KERNEL_PARTS);
                }
            }
            return "n/a: memory.stat has no kernel figures";
        }

        /** Takes up to {@code bytes} from the room left; says so when it did not fit by more than noise. */
        private long take(String what, long bytes) {
            long wanted = Math.max(0, bytes);
            long taken = Math.min(wanted, room);
            if (wanted - taken > misfitNoise) {
                errors.add("budget: " + what + " (" + wanted + " bytes) did not fit in the working set; " + taken
                        + " bytes counted (readings taken at different moments)");
            }
            room -= taken;
            return taken;
        }

        private void add(String name, long bytes, String source, boolean estimated) {
            components.add(new Component(name, bytes, source, estimated));
        }

        private static long committed(Map<String, NmtCategory> nmt, String name) {
            NmtCategory c = nmt.get(name);
            return c == null ? 0 : c.committedBytes();
        }

        private static Claim fixed(String name, long bytes, String source, boolean estimated) {
            return new Claim(name, bytes, bytes, source, estimated);
        }

        private static long sum(List<Claim> claims) {
            long s = 0;
            for (Claim c : claims) {
                s += c.bytes;
            }
            return s;
        }
    }

    /** A component's claim on resident memory, which may be cut down to {@code floor}. */
    private static final class Claim {
        final String name;
        final long requested;
        final long floor;
        final String source;
        long bytes;
        boolean estimated;

        Claim(String name, long bytes, long floor, String source, boolean estimated) {
            this.name = name;
            this.requested = Math.max(0, bytes);
            this.bytes = this.requested;
            this.floor = Math.max(0, Math.min(floor, this.requested));
            this.source = source;
            this.estimated = estimated;
        }

        /** Cuts up to {@code amount} down to the floor; returns how much was cut. */
        long cut(long amount) {
            long cut = Math.min(amount, bytes - floor);
            if (cut > 0) {
                bytes -= cut;
                estimated = true;
            }
            return Math.max(0, cut);
        }

        String sourceWithCut() {
            return bytes < requested ? source + "; cut from " + requested + " to fit RssAnon" : source;
        }

        @Override
        public String toString() {
            return name + "=" + bytes;
        }
    }
}
