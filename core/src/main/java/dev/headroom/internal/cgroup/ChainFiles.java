package dev.headroom.internal.cgroup;

import dev.headroom.internal.kernfs.KernelFile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The limit and usage files of each directory on the chain, the process's own first, kept open
 * and read every sample. The process's own files are required (their absence is a problem), its
 * ancestors' are not; in the v2 root cgroup there are none to require.
 */
final class ChainFiles implements AutoCloseable {
    private final List<String> dirs;
    private final KernelFile[] limitFiles;
    private final KernelFile[] usageFiles;
    private final Path[] usagePaths;
    /** The classified limits of the latest read ({@link EffectiveLimit#classify}). */
    final long[] limits;
    /** The usages of the latest read. */
    final long[] usages;

    private CgroupChain described;
    private long[] describedLimits = new long[0];
    private long describedHierarchical = CgroupSample.UNKNOWN;

    ChainFiles(CgroupFiles files, List<String> dirs, String limitName, String usageName) {
        this.dirs = dirs;
        int n = dirs.size();
        limitFiles = new KernelFile[n];
        usageFiles = new KernelFile[n];
        usagePaths = new Path[n];
        for (int i = 0; i < n; i++) {
            limitFiles[i] = files.open(dirs.get(i), limitName);
            usageFiles[i] = files.open(dirs.get(i), usageName);
            usagePaths[i] = files.host(CgroupResolver.join(dirs.get(i), usageName));
        }
        limits = new long[n];
        usages = new long[n];
        Arrays.fill(limits, CgroupSample.UNKNOWN);
        Arrays.fill(usages, CgroupSample.UNKNOWN);
    }

    void read(CgroupFiles files, boolean rootCgroup, long memTotal) {
        for (int i = 0; i < limits.length; i++) {
            boolean own = i == 0 && !rootCgroup;
            limits[i] = files.limit(limitFiles[i], own, memTotal);
            usages[i] = files.value(usageFiles[i], own);
        }
    }

    /** The process's own limit of the latest read. */
    long ownLimit() {
        return limits.length > 0 ? limits[0] : CgroupSample.UNKNOWN;
    }

    /** The process's own usage of the latest read. */
    long ownUsage() {
        return usages.length > 0 ? usages[0] : CgroupSample.UNKNOWN;
    }

    /**
     * The limited directories of the latest read; the previous description while nothing changed.
     *
     * @param hierarchical v1's {@code hierarchical_memory_limit} when it applied, else unknown
     */
    CgroupChain describe(long generation, long hierarchical) {
        if (described != null && described.generation() == generation && hierarchical == describedHierarchical
                && Arrays.equals(limits, describedLimits)) {
            return described;
        }
        List<CgroupChain.Entry> entries = new ArrayList<>();
        for (int i = 0; i < limits.length; i++) {
            if (EffectiveLimit.limited(limits[i])) {
                entries.add(new CgroupChain.Entry(dirs.get(i), usagePaths[i], limits[i]));
            }
        }
        if (EffectiveLimit.limited(hierarchical) && limits.length > 0) {
            entries.add(new CgroupChain.Entry(dirs.get(0), usagePaths[0], hierarchical));
        }
        described = new CgroupChain(generation, entries);
        describedLimits = limits.clone();
        describedHierarchical = hierarchical;
        return described;
    }

    @Override
    public void close() {
        CgroupFiles.close(limitFiles);
        CgroupFiles.close(usageFiles);
    }
}
