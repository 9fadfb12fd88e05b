package dev.headroom.internal.cgroup;

import dev.headroom.internal.kernfs.KernelFile;

import java.util.List;

/**
 * The {@code pids} controller's cap on the process's tasks. Each level of the pids chain may have
 * {@code pids.max} ("max" or a count) and {@code pids.current} (tasks in it and below, threads
 * included: the kernel counts every task, and a thread is one). The binding level is the one with
 * the fewest tasks left; when it is full, {@code clone(2)} fails with {@code EAGAIN} and the JVM
 * throws {@code OutOfMemoryError: unable to create native thread} (kernel docs:
 * admin-guide/cgroup-v1/pids, cgroup-v2 "PID"). Files are opened once; a level without them (the
 * controller not enabled there, or the root cgroup) is skipped without a word: the cap is optional.
 * Allocation-free after construction. Not thread-safe (the monitor's lock guards it).
 */
final class PidsReader implements AutoCloseable {
    private final CgroupFiles files;
    private final KernelFile[] max;
    private final KernelFile[] current;

    PidsReader(CgroupFiles files, List<String> chain) {
        this.files = files;
        max = new KernelFile[chain.size()];
        current = new KernelFile[chain.size()];
        for (int i = 0; i < chain.size(); i++) {
            max[i] = files.open(chain.get(i), "pids.max");
            current[i] = files.open(chain.get(i), "pids.current");
        }
    }

    /** Fills the pids fields of {@code into} with the binding level's reading; none when nothing caps the tasks. */
    void read(CgroupSample into) {
        for (int i = 0; i < max.length; i++) {
            if (!max[i].present()) {
                continue;
            }
            long cap = files.limit(max[i], false, -1);
            if (cap == CgroupSample.UNKNOWN || cap == CgroupSample.UNLIMITED || cap <= 0) {
                continue;
            }
            long used = files.value(current[i], true);
            if (used < 0) {
                continue;
            }
            if (into.pidsIndex < 0 || cap - used < into.pidsMax - into.pidsCurrent) {
                into.pidsIndex = i;
                into.pidsMax = cap;
                into.pidsCurrent = used;
            }
        }
    }

    @Override
    public void close() {
        CgroupFiles.close(max);
        CgroupFiles.close(current);
    }
}
