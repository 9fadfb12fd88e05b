package dev.headroom.internal.cgroup;

import dev.headroom.internal.kernfs.KernelFile;

import java.util.Arrays;
import java.util.List;

/**
 * The limit and usage files of each directory on the chain, the process's own first, kept open
 * and read every sample. The process's own files are required (their absence is a problem), its
 * ancestors' are not; in the v2 root cgroup there are none to require.
 */
final class ChainFiles implements AutoCloseable {
    private final KernelFile[] limitFiles;
    private final KernelFile[] usageFiles;
    /** The classified limits of the latest read ({@link EffectiveLimit#classify}). */
    final long[] limits;
    /** The usages of the latest read. */
    final long[] usages;

    ChainFiles(CgroupFiles files, List<String> dirs, String limitName, String usageName) {
        int n = dirs.size();
        limitFiles = new KernelFile[n];
        usageFiles = new KernelFile[n];
        for (int i = 0; i < n; i++) {
            limitFiles[i] = files.open(dirs.get(i), limitName);
            usageFiles[i] = files.open(dirs.get(i), usageName);
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

    @Override
    public void close() {
        CgroupFiles.close(limitFiles);
        CgroupFiles.close(usageFiles);
    }
}
