package dev.headroom;

import dev.headroom.internal.cgroup.CgroupMonitor;

import java.nio.file.Path;

/**
 * One-shot reading of this process's memory cgroup: where it is, its effective limit, usage,
 * working set, {@code memory.stat}, events and pressure. Never throws for a missing or odd cgroup:
 * what could not be read is listed in {@link CgroupSnapshot#errors()}.
 *
 * <pre>{@code
 * CgroupSnapshot cg = Cgroups.read();
 * cg.limitBytes().ifPresent(limit -> System.out.println("limit " + limit));
 * }</pre>
 */
public final class Cgroups {
    private Cgroups() {
    }

    /** Reads the cgroup of this process from the real {@code /proc} and {@code /sys}. */
    public static CgroupSnapshot read() {
        return read(Path.of("/"));
    }

    /**
     * Reads with every {@code /proc} and {@code /sys} path taken under {@code root}: a captured tree
     * or a test fixture.
     */
    public static CgroupSnapshot read(Path root) {
        try (CgroupMonitor monitor = CgroupMonitor.open(root, System::nanoTime)) {
            return monitor.snapshot();
        }
    }
}
