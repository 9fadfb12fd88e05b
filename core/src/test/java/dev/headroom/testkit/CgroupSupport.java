package dev.headroom.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Can this test process create child memory cgroups? Deliberately independent of the production
 * discovery code (which is under test): it finds its own memory cgroup the plain way and checks that
 * a child directory can be created and removed.
 *
 * <p>{@link #requireAvailable()} skips a test with the reason when cgroups cannot be created, and
 * fails it instead when {@code HEADROOM_REQUIRE_CGROUP=1} (CI), so real-cgroup tests never skip
 * silently where they must run.
 */
public final class CgroupSupport {
    /** The test process's own memory cgroup directory and its cgroup version. */
    public record Location(Path dir, int version) {
    }

    private static volatile Optional<Location> location;
    private static volatile String reason = "";

    private CgroupSupport() {
    }

    /** Skips (or, under HEADROOM_REQUIRE_CGROUP=1, fails) the calling test when cgroups cannot be created. */
    public static void requireAvailable() {
        if (location().isPresent()) {
            return;
        }
        String message = "real-cgroup test needs a writable memory cgroup: " + unavailableReason();
        if ("1".equals(System.getenv("HEADROOM_REQUIRE_CGROUP"))) {
            Assertions.fail(message + " (HEADROOM_REQUIRE_CGROUP=1 makes this a failure)");
        }
        Assumptions.abort(message);
    }

    public static synchronized Optional<Location> location() {
        if (location == null) {
            location = probe();
        }
        return location;
    }

    public static String unavailableReason() {
        location();
        return reason;
    }

    private static Optional<Location> probe() {
        try {
            Optional<Location> found = find();
            if (found.isEmpty()) {
                return Optional.empty();
            }
            Path dir = found.get().dir();
            Path trial = dir.resolve("headroom-probe-" + ProcessHandle.current().pid());
            try {
                Files.createDirectory(trial);
            } catch (IOException e) {
                reason = "cannot create a child of " + dir + " (" + e + "); run as root on a writable cgroupfs";
                return Optional.empty();
            }
            boolean hasLimitFile = Files.exists(trial.resolve(found.get().version() == 2 ? "memory.max" : "memory.limit_in_bytes"));
            Files.delete(trial);
            if (!hasLimitFile) {
                reason = "children of " + dir + " get no memory controller (v2: enable +memory in cgroup.subtree_control)";
                return Optional.empty();
            }
            return found;
        } catch (IOException | RuntimeException e) {
            reason = "probing cgroups failed: " + e;
            return Optional.empty();
        }
    }

    private static Optional<Location> find() throws IOException {
        Path self = Paths.get("/proc/self/cgroup");
        if (!Files.isReadable(self)) {
            reason = "no /proc/self/cgroup (not Linux?)";
            return Optional.empty();
        }
        List<String> cgroupLines = Files.readAllLines(self);
        List<String> mounts = Files.readAllLines(Paths.get("/proc/self/mountinfo"));
        // v1: a line "N:...memory...:/path" and a cgroup mount whose super options name memory.
        for (String line : cgroupLines) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && List.of(f[1].split(",")).contains("memory")) {
                for (String mount : mounts) {
                    String[] m = mount.split(" ");
                    int dash = List.of(m).indexOf("-");
                    if (dash > 0 && m[dash + 1].equals("cgroup") && List.of(m[dash + 3].split(",")).contains("memory")) {
                        return Optional.of(new Location(under(m[4], m[3], f[2]), 1));
                    }
                }
            }
        }
        // v2: the "0::/path" line and the cgroup2 mount, with memory among the controllers.
        for (String line : cgroupLines) {
            if (line.startsWith("0::")) {
                for (String mount : mounts) {
                    String[] m = mount.split(" ");
                    int dash = List.of(m).indexOf("-");
                    if (dash > 0 && m[dash + 1].equals("cgroup2")) {
                        Path dir = under(m[4], m[3], line.substring(3));
                        Path controllers = dir.resolve("cgroup.controllers");
                        if (Files.exists(controllers) && List.of(Files.readString(controllers).trim().split(" ")).contains("memory")) {
                            return Optional.of(new Location(dir, 2));
                        }
                    }
                }
            }
        }
        reason = "no memory controller in /proc/self/cgroup";
        return Optional.empty();
    }

    private static Path under(String mountPoint, String mountRoot, String cgroupPath) {
        String relative = cgroupPath;
        if (!mountRoot.equals("/") && cgroupPath.startsWith(mountRoot)) {
            relative = cgroupPath.substring(mountRoot.length());
        }
        return Paths.get(mountPoint, relative.replaceFirst("^/", ""));
    }
}
