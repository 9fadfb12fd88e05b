package dev.headroom.internal.cgroup;

import java.nio.file.Path;
import java.util.List;

/**
 * The limited cgroups on the way up from the process's memory cgroup, as of the monitor's latest
 * sample: what a watch between samples needs to compute limit - usage itself, by re-reading only
 * the usage files. Immutable; {@link CgroupMonitor#chain()} returns the same instance until a
 * limit or the location changes.
 *
 * @param generation the {@link CgroupSample#generation} it describes: it grows when the monitor
 *                   moves to another cgroup, whose files these are not
 * @param entries    one per directory with a limit, the process's own first, then its ancestors up
 *                   to the mount point; empty when nothing on the chain is limited
 */
public record CgroupChain(long generation, List<Entry> entries) {

    /** Nothing limited, or no memory controller. */
    public static CgroupChain none(long generation) {
        return new CgroupChain(generation, List.of());
    }

    public CgroupChain {
        entries = List.copyOf(entries);
    }

    /**
     * One limited cgroup.
     *
     * @param dir        the directory in the root's namespace ({@code /sys/fs/cgroup/...})
     * @param usageFile  its usage file to open: {@code memory.current} (v2) or
     *                   {@code memory.usage_in_bytes} (v1), under the monitor's root
     * @param limitBytes its limit; "no limit" values never make an entry. On v1 a limit stated by
     *                   {@code memory.stat}'s {@code hierarchical_memory_limit} (an ancestor beyond
     *                   the mount) is the last entry, with the process's own directory and usage
     *                   file: that ancestor's usage is at least the process's
     */
    public record Entry(String dir, Path usageFile, long limitBytes) {
    }
}
