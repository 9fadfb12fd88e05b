package dev.headroom.internal.cgroup;

import java.util.List;

/**
 * Where the process's memory cgroup files are, as resolved by {@link CgroupResolver}. Paths are
 * absolute in the root's mount namespace ({@code /sys/fs/cgroup/...}), never prefixed with the
 * {@code --root} directory.
 *
 * @param version       1 or 2; 0 when no memory controller was found
 * @param mountPoint    the mount point of the memory hierarchy; null when none
 * @param memoryDir     the directory whose memory files apply to this process; null when none
 * @param chain         {@code memoryDir} and each ancestor up to and including {@code mountPoint}
 * @param rootCgroup    true when {@code memoryDir} is the v2 root cgroup (no {@code memory.current})
 * @param pressureDir   the directory holding this process's {@code memory.pressure}: {@code memoryDir}
 *                      on v2, the unified hierarchy's directory on a hybrid host; null when none
 * @param pidsChain     the process's directory in the hierarchy holding the {@code pids} controller and
 *                      each ancestor up to its mount point (where {@code pids.max} caps the tasks,
 *                      threads included, a cgroup may hold); empty when there is no such controller
 * @param hostMemTotal  {@code MemTotal} of {@code /proc/meminfo} in bytes; -1 when unknown
 * @param problems      what went wrong or had to be approximated while resolving
 */
record CgroupLocation(int version, String mountPoint, String memoryDir, List<String> chain,
                      boolean rootCgroup, String pressureDir, List<String> pidsChain, long hostMemTotal,
                      List<String> problems) {

    CgroupLocation {
        chain = List.copyOf(chain);
        pidsChain = List.copyOf(pidsChain);
        problems = List.copyOf(problems);
    }

    static CgroupLocation none(long hostMemTotal, List<String> problems) {
        return new CgroupLocation(0, null, null, List.of(), false, null, List.of(), hostMemTotal, problems);
    }

    /** Same files to read: the monitor keeps its open files when a re-resolution returns an equal place. */
    boolean samePlace(CgroupLocation other) {
        return other != null && version == other.version && chain.equals(other.chain)
                && rootCgroup == other.rootCgroup && java.util.Objects.equals(pressureDir, other.pressureDir)
                && pidsChain.equals(other.pidsChain)
                && hostMemTotal == other.hostMemTotal;
    }
}
