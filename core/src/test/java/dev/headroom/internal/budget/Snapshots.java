package dev.headroom.internal.budget;

import dev.headroom.CgroupSnapshot;
import dev.headroom.CgroupSnapshot.MemoryStat;
import dev.headroom.JvmSnapshot;
import dev.headroom.JvmSnapshot.BufferPool;
import dev.headroom.JvmSnapshot.NmtCategory;
import dev.headroom.JvmSnapshot.Pool;
import dev.headroom.ProcessSnapshot;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** Hand-built snapshots for budget tests: every figure set explicitly, in MiB unless said otherwise. */
final class Snapshots {

    static final long MIB = 1L << 20;

    private Snapshots() {
    }

    /** A v2 memory cgroup. */
    static final class Cgroup {
        long anon;
        long shmem;
        long activeFile;
        long inactiveFile;
        OptionalLong kernel = OptionalLong.of(0);
        Map<String, Long> extraStat = new HashMap<>();
        OptionalLong limit = OptionalLong.empty();
        CgroupSnapshot.Binding binding;
        long usageExtra; // usage beyond the stat's anon + file + kernel (unevictable, skew)
        Map<String, Long> events = new HashMap<>();
        OptionalLong peak = OptionalLong.empty();

        Cgroup anon(long mib) { anon = mib * MIB; return this; }
        Cgroup shmem(long mib) { shmem = mib * MIB; return this; }
        Cgroup activeFile(long mib) { activeFile = mib * MIB; return this; }
        Cgroup inactiveFile(long mib) { inactiveFile = mib * MIB; return this; }
        Cgroup kernel(long mib) { kernel = OptionalLong.of(mib * MIB); return this; }
        Cgroup noKernelKey(Map<String, Long> parts) { kernel = OptionalLong.empty(); extraStat.putAll(parts); return this; }
        Cgroup limit(long mib) { limit = OptionalLong.of(mib * MIB); return this; }
        Cgroup binding(String dir, long limitMib, long usageMib) {
            binding = new CgroupSnapshot.Binding(dir, limitMib * MIB, usageMib * MIB);
            return this;
        }
        Cgroup usageExtra(long bytes) { usageExtra = bytes; return this; }
        Cgroup oomKills(long n) { events.put("oom_kill", n); return this; }
        Cgroup peak(long mib) { peak = OptionalLong.of(mib * MIB); return this; }

        long usage() {
            return anon + shmem + activeFile + inactiveFile + kernel.orElse(
                    extraStat.values().stream().mapToLong(Long::longValue).sum()) + usageExtra;
        }

        long workingSet() {
            return usage() - inactiveFile;
        }

        CgroupSnapshot build() {
            Map<String, Long> all = new LinkedHashMap<>(extraStat);
            all.put("anon", anon);
            all.put("file", shmem + activeFile + inactiveFile);
            all.put("shmem", shmem);
            all.put("active_file", activeFile);
            all.put("inactive_file", inactiveFile);
            kernel.ifPresent(k -> all.put("kernel", k));
            MemoryStat stat = new MemoryStat(all, OptionalLong.of(anon), OptionalLong.of(shmem + activeFile + inactiveFile),
                    kernel, OptionalLong.of(shmem), OptionalLong.empty(), OptionalLong.empty(),
                    OptionalLong.of(activeFile), OptionalLong.of(inactiveFile), OptionalLong.empty());
            return CgroupSnapshot.builder()
                    .version(2)
                    .memoryDir("/sys/fs/cgroup/test")
                    .hostMemoryBytes(OptionalLong.of(64L << 30))
                    .limitBytes(limit)
                    .limitSource(limit.isPresent() ? "/sys/fs/cgroup/test" : null)
                    .usageBytes(OptionalLong.of(usage()))
                    .workingSetBytes(OptionalLong.of(workingSet()))
                    .peakBytes(peak)
                    .stat(stat)
                    .events(events)
                    .binding(binding)
                    .build();
        }
    }

    /** No memory controller: the builder's unknowns, and the error that says why. */
    static CgroupSnapshot noCgroup() {
        return CgroupSnapshot.builder().errors(List.of("no memory controller")).build();
    }

    /** A JVM; without {@link #nmt} calls NMT is off. */
    static final class Jvm {
        String collector = "G1";
        long heapUsed = 50 * MIB;
        long heapCommitted = 100 * MIB;
        long heapPeak = 80 * MIB;
        long metaspace = 30 * MIB;
        long codeCache = 10 * MIB;
        long direct;
        long mapped;
        int threads = 20;
        long stackSize = MIB;
        long nmtStack = -1;
        long gcCount;
        final Map<String, NmtCategory> nmt = new LinkedHashMap<>();

        Jvm collector(String c) { collector = c; return this; }
        Jvm heap(long usedMib, long peakMib, long committedMib) {
            heapUsed = usedMib * MIB; heapPeak = peakMib * MIB; heapCommitted = committedMib * MIB; return this;
        }
        Jvm metaspace(long mib) { metaspace = mib * MIB; return this; }
        Jvm codeCache(long mib) { codeCache = mib * MIB; return this; }
        Jvm direct(long mib) { direct = mib * MIB; return this; }
        Jvm mapped(long mib) { mapped = mib * MIB; return this; }
        Jvm threads(int n) { threads = n; return this; }
        Jvm gcCount(long n) { gcCount = n; return this; }
        /** NMT category in MiB: committed and the mmap part of it. */
        Jvm nmt(String name, long committedMib, long mmapMib) {
            nmt.put(name, new NmtCategory(name, committedMib * MIB * 2, committedMib * MIB, mmapMib * MIB));
            return this;
        }
        Jvm nmtStack(long mib) { nmtStack = mib * MIB; return this; }

        JvmSnapshot build() {
            List<Pool> pools = new ArrayList<>();
            pools.add(new Pool("G1 Old Gen", true, heapUsed, heapCommitted, OptionalLong.of(heapCommitted * 2)));
            pools.add(new Pool("Metaspace", false, metaspace - MIB / 2, metaspace, OptionalLong.empty()));
            pools.add(new Pool("Compressed Class Space", false, MIB, 2 * MIB, OptionalLong.of(1L << 30)));
            pools.add(new Pool("CodeHeap 'non-nmethods'", false, codeCache / 4, codeCache / 2, OptionalLong.empty()));
            pools.add(new Pool("CodeHeap 'profiled nmethods'", false, codeCache / 4, codeCache / 2, OptionalLong.empty()));
            List<BufferPool> buffers = List.of(new BufferPool("direct", direct > 0 ? 1 : 0, direct, direct),
                    new BufferPool("mapped", mapped > 0 ? 1 : 0, mapped, mapped),
                    new BufferPool("mapped - 'non-volatile memory'", 0, 0, 0));
            boolean nmtOn = !nmt.isEmpty();
            long stacks = nmtOn && nmtStack >= 0 ? nmtStack : threads * stackSize;
            long nmtTotal = nmt.values().stream().mapToLong(NmtCategory::committedBytes).sum();
            return JvmSnapshot.builder()
                    .collector(collector)
                    .heapUsedBytes(heapUsed)
                    .heapCommittedBytes(heapCommitted)
                    .heapMaxBytes(OptionalLong.of(4L << 30))
                    .pools(pools)
                    .bufferPools(buffers)
                    .maxDirectMemoryBytes(OptionalLong.of(4L << 30))
                    .threadCount(threads)
                    .threadStackBytes(stacks)
                    .threadStackEstimated(!(nmtOn && nmtStack >= 0))
                    .gcCount(gcCount)
                    .gcTimeMillis(gcCount * 5)
                    .nmt(nmt)
                    .nmtEnabled(nmtOn)
                    .nmtTotalCommittedBytes(nmtOn ? OptionalLong.of(nmtTotal) : OptionalLong.empty())
                    .heapPeakUsedBytes(heapPeak)
                    .build();
        }
    }

    /** /proc/self/status in MiB. */
    static ProcessSnapshot process(long anonMib, long fileMib, long shmemMib) {
        long anon = anonMib * MIB;
        long file = fileMib * MIB;
        long shmem = shmemMib * MIB;
        return ProcessSnapshot.builder()
                .rssBytes(OptionalLong.of(anon + file + shmem))
                .rssAnonBytes(OptionalLong.of(anon))
                .rssFileBytes(OptionalLong.of(file))
                .rssShmemBytes(OptionalLong.of(shmem))
                .swapBytes(OptionalLong.of(0))
                .build();
    }
}
