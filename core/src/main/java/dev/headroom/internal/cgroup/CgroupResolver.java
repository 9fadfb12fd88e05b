package dev.headroom.internal.cgroup;

import dev.headroom.internal.kernfs.ErrorLines;
import dev.headroom.internal.kernfs.KernelFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the process's memory cgroup under a filesystem root, following the resolution rules in
 * docs/cgroup.md ("Finding the cgroup"):
 * <ol>
 *   <li>The memory controller is v1 when {@code /proc/self/cgroup} has a hierarchy listing
 *       {@code memory} (hybrid hosts have both kinds; a controller lives in one hierarchy only),
 *       else v2 when there is a {@code 0::} line, a {@code cgroup2} mount and the mount's
 *       {@code cgroup.controllers} offers {@code memory}. {@code /proc/cgroups} with
 *       {@code enabled 0} (boot option {@code cgroup_disable=memory}) means no controller.</li>
 *   <li>Of several mounts of the hierarchy, the one whose root is the longest prefix of the cgroup
 *       path wins, then one under {@code /sys/fs/cgroup} (extra cgroupfs mounts confused the JDK:
 *       JDK-8293540).</li>
 *   <li>The process's directory is the mount point plus the cgroup path relative to the mount root.
 *       When the root is not a prefix of the path (the process was moved after the namespace was
 *       made: JDK-8286212, JDK-8343191) or the path climbs out with {@code ..} (a process outside its
 *       cgroup namespace's root), the mount point is used.</li>
 *   <li>When that directory has no memory files (controller not enabled below), the nearest
 *       ancestor up to the mount point that has them is used.</li>
 * </ol>
 * Never throws: every problem becomes a line in {@link CgroupLocation#problems()}.
 */
final class CgroupResolver {

    private static final String SYS_FS_CGROUP = "/sys/fs/cgroup";

    private CgroupResolver() {
    }

    static CgroupLocation resolve(Path root) {
        List<String> problems = new ArrayList<>();
        long memTotal = readMemTotal(root, problems);

        String cgroupText = readText(root, "/proc/self/cgroup", problems);
        String mountText = readText(root, "/proc/self/mountinfo", problems);
        if (cgroupText == null || mountText == null) {
            return CgroupLocation.none(memTotal, problems);
        }
        List<ProcSelfCgroup.Entry> entries = ProcSelfCgroup.parse(cgroupText, "/proc/self/cgroup", problems);
        List<MountInfo.Mount> mounts = MountInfo.parse(mountText, "/proc/self/mountinfo", problems);
        if (entries.isEmpty()) {
            problems.add("no memory controller: /proc/self/cgroup lists no cgroup");
            return CgroupLocation.none(memTotal, problems);
        }
        String disabled = memoryDisabledByProcCgroups(root);
        if (disabled != null) {
            problems.add("no memory controller: " + disabled);
            return CgroupLocation.none(memTotal, problems);
        }

        ProcSelfCgroup.Entry v1 = null;
        ProcSelfCgroup.Entry v2 = null;
        for (ProcSelfCgroup.Entry e : entries) {
            if (e.hierarchyId() != 0 && e.hasController("memory") && v1 == null) {
                v1 = e;
            } else if (e.hierarchyId() == 0 && v2 == null) {
                v2 = e;
            }
        }

        List<MountInfo.Mount> v2Mounts = new ArrayList<>();
        for (MountInfo.Mount m : mounts) {
            if (m.fsType().equals("cgroup2")) {
                v2Mounts.add(m);
            }
        }

        if (v1 != null) {
            List<MountInfo.Mount> v1Mounts = new ArrayList<>();
            for (MountInfo.Mount m : mounts) {
                if (m.fsType().equals("cgroup") && m.hasSuperOption("memory")) {
                    v1Mounts.add(m);
                }
            }
            if (v1Mounts.isEmpty()) {
                problems.add("no memory controller: /proc/self/cgroup names the v1 memory hierarchy (line "
                        + v1.hierarchyId() + ":" + String.join(",", v1.controllers())
                        + ") but /proc/self/mountinfo has no cgroup mount with the memory option");
                return CgroupLocation.none(memTotal, problems);
            }
            MountInfo.Mount mount = pick(v1Mounts, v1.path());
            String pressureDir = null;
            if (v2 != null && !v2Mounts.isEmpty()) {
                // Hybrid host: PSI is kept per cgroup2 group whatever hierarchy the memory controller is on.
                MountInfo.Mount unified = pick(v2Mounts, v2.path());
                String dir = map(unified, v2.path(), null);
                pressureDir = nearestWith(root, dir, unified.mountPoint(), "memory.pressure");
            }
            return locate(root, 1, mount, v1, "memory.usage_in_bytes", pressureDir, pidsChain(entries, mounts),
                    memTotal, problems);
        }
        if (v2 == null) {
            problems.add("no memory controller: /proc/self/cgroup has no memory hierarchy and no cgroup v2 line");
            return CgroupLocation.none(memTotal, problems);
        }
        if (v2Mounts.isEmpty()) {
            problems.add("no memory controller: /proc/self/cgroup has a cgroup v2 line but /proc/self/mountinfo has no cgroup2 mount");
            return CgroupLocation.none(memTotal, problems);
        }
        MountInfo.Mount mount = pick(v2Mounts, v2.path());
        String controllers = readOptional(root, join(mount.mountPoint(), "cgroup.controllers"));
        if (controllers != null && !List.of(controllers.trim().split("\\s+")).contains("memory")) {
            problems.add("no memory controller: " + join(mount.mountPoint(), "cgroup.controllers")
                    + " does not offer memory (\"" + ErrorLines.cut(controllers.trim()) + "\")");
            return CgroupLocation.none(memTotal, problems);
        }
        return locate(root, 2, mount, v2, "memory.current", null, pidsChain(entries, mounts), memTotal, problems);
    }

    private static CgroupLocation locate(Path root, int version, MountInfo.Mount mount, ProcSelfCgroup.Entry entry,
                                         String markerFile, String pressureDir, List<String> pidsChain, long memTotal,
                                         List<String> problems) {
        String mountPoint = trimSlash(mount.mountPoint());
        if (entry.deleted()) {
            problems.add("/proc/self/cgroup: the process's cgroup " + entry.path() + " has been deleted");
        }
        String processDir = map(mount, entry.path(), problems);
        String memoryDir = nearestWith(root, processDir, mountPoint, markerFile);
        boolean rootCgroup = false;
        if (memoryDir == null) {
            // No directory up to the mount point has the file: on v2 that is the root cgroup, which
            // has no memory.current; elsewhere the files are missing and reading them will say so.
            memoryDir = mountPoint;
            rootCgroup = version == 2 && mount.root().equals("/");
        } else if (!memoryDir.equals(processDir) && !Files.isDirectory(host(root, processDir))) {
            problems.add("cgroup directory " + processDir + " does not exist; using " + memoryDir);
        }
        if (version == 2 && pressureDir == null && Files.exists(host(root, join(memoryDir, "memory.pressure")))) {
            pressureDir = memoryDir;
        }
        return new CgroupLocation(version, mountPoint, memoryDir, upTo(memoryDir, mountPoint), rootCgroup, pressureDir,
                pidsChain, memTotal, problems);
    }

    /** {@code dir} and each ancestor up to and including {@code mountPoint}. */
    private static List<String> upTo(String dir, String mountPoint) {
        List<String> chain = new ArrayList<>();
        for (String d = dir; ; d = parent(d)) {
            chain.add(d);
            if (d.equals(mountPoint) || d.equals("/")) {
                return chain;
            }
        }
    }

    /**
     * Where the {@code pids} controller counts this process's tasks: its directory in the v1
     * hierarchy listing {@code pids}, else in the unified one (on v2 the controller shares the
     * memory controller's directories), and each ancestor up to the mount point. Whether a level
     * has {@code pids.max} is the reader's business (the controller may be enabled only above us).
     * Empty when the hierarchy is not mounted; the pids limit is optional, so nothing is reported.
     */
    static List<String> pidsChain(List<ProcSelfCgroup.Entry> entries, List<MountInfo.Mount> mounts) {
        ProcSelfCgroup.Entry v1 = null;
        ProcSelfCgroup.Entry v2 = null;
        for (ProcSelfCgroup.Entry e : entries) {
            if (e.hierarchyId() != 0 && e.hasController("pids") && v1 == null) {
                v1 = e;
            } else if (e.hierarchyId() == 0 && v2 == null) {
                v2 = e;
            }
        }
        ProcSelfCgroup.Entry entry = v1 != null ? v1 : v2;
        List<MountInfo.Mount> candidates = new ArrayList<>();
        for (MountInfo.Mount m : mounts) {
            if (v1 != null ? m.fsType().equals("cgroup") && m.hasSuperOption("pids") : m.fsType().equals("cgroup2")) {
                candidates.add(m);
            }
        }
        if (entry == null || candidates.isEmpty()) {
            return List.of();
        }
        MountInfo.Mount mount = pick(candidates, entry.path());
        return upTo(map(mount, entry.path(), null), trimSlash(mount.mountPoint()));
    }

    /** The mount whose root is the longest prefix of {@code path}; ties and misses prefer /sys/fs/cgroup. */
    static MountInfo.Mount pick(List<MountInfo.Mount> mounts, String path) {
        MountInfo.Mount best = null;
        int bestScore = Integer.MIN_VALUE;
        for (MountInfo.Mount m : mounts) {
            int score = isPrefix(m.root(), path) ? trimSlash(m.root()).length() * 2 + 2 : 0;
            if (m.mountPoint().equals(SYS_FS_CGROUP) || m.mountPoint().startsWith(SYS_FS_CGROUP + "/")) {
                score += 1;
            }
            if (score > bestScore) {
                best = m;
                bestScore = score;
            }
        }
        return best;
    }

    /**
     * The process's directory: mount point + path relative to the mount root; the mount point when
     * the path cannot be mapped (problems is null when the caller only wants a best effort).
     */
    static String map(MountInfo.Mount mount, String path, List<String> problems) {
        String mountPoint = trimSlash(mount.mountPoint());
        for (String segment : path.split("/")) {
            if (segment.equals("..") || segment.equals(".")) {
                if (problems != null) {
                    problems.add("cgroup path " + path + " escapes the cgroup namespace root; using the mount point "
                            + mountPoint);
                }
                return mountPoint;
            }
        }
        String mountRoot = trimSlash(mount.root());
        if (!isPrefix(mountRoot, path)) {
            if (problems != null) {
                problems.add("cgroup path " + path + " is not under the mount root " + mount.root()
                        + "; using the mount point " + mountPoint);
            }
            return mountPoint;
        }
        String relative = mountRoot.equals("/") ? path : path.substring(mountRoot.length());
        return trimSlash(join(mountPoint, relative));
    }

    /** {@code dir} or its nearest ancestor, up to {@code stop}, holding {@code file}; null when none. */
    private static String nearestWith(Path root, String dir, String stop, String file) {
        for (String d = dir; ; d = parent(d)) {
            if (Files.exists(host(root, join(d, file)))) {
                return d;
            }
            if (d.equals(stop) || d.equals("/") || !d.startsWith(stop)) {
                return null;
            }
        }
    }

    private static boolean isPrefix(String mountRoot, String path) {
        String r = trimSlash(mountRoot);
        return r.equals("/") || path.equals(r) || path.startsWith(r + "/");
    }

    /** Why {@code /proc/cgroups} says the memory controller is off, or null (absent file = no objection). */
    private static String memoryDisabledByProcCgroups(Path root) {
        String text = readOptional(root, "/proc/cgroups");
        if (text == null) {
            return null;
        }
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].equals("memory") && f[3].equals("0")) {
                return "/proc/cgroups lists memory as disabled (boot option cgroup_disable=memory?)";
            }
        }
        return null;
    }

    private static long readMemTotal(Path root, List<String> problems) {
        String text = readText(root, "/proc/meminfo", problems);
        if (text == null) {
            return -1;
        }
        for (String line : text.split("\n")) {
            if (line.startsWith("MemTotal:")) {
                String[] f = line.substring("MemTotal:".length()).trim().split("\\s+");
                try {
                    long value = Long.parseLong(f[0]);
                    long scale = f.length > 1 && f[1].equalsIgnoreCase("kB") ? 1024 : 1;
                    if (value > 0 && value <= Long.MAX_VALUE / scale) {
                        return value * scale;
                    }
                } catch (NumberFormatException ignored) {
                    // reported below
                }
                problems.add("/proc/meminfo: unparseable MemTotal line \"" + line.trim() + "\"");
                return -1;
            }
        }
        problems.add("/proc/meminfo: no MemTotal line; limits are compared with no host size");
        return -1;
    }

    /**
     * Largest text read whole (mountinfo of a host with thousands of mounts is a few hundred KiB);
     * a {@code /dev/zero} under a captured root must not fill the heap.
     */
    private static final int MAX_TEXT = 4 << 20;

    private static String readText(Path root, String nsPath, List<String> problems) {
        try {
            return new String(KernelFile.readSmall(host(root, nsPath), nsPath, MAX_TEXT), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            problems.add(nsPath + ": missing");
        } catch (IOException | RuntimeException e) {
            problems.add(nsPath + ": unreadable (" + e.getMessage() + ")");
        }
        return null;
    }

    private static String readOptional(Path root, String nsPath) {
        try {
            return new String(KernelFile.readSmall(host(root, nsPath), nsPath, MAX_TEXT), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The file under {@code root} for a path in the root's namespace. */
    static Path host(Path root, String nsPath) {
        String relative = nsPath.startsWith("/") ? nsPath.substring(1) : nsPath;
        return relative.isEmpty() ? root : root.resolve(relative);
    }

    static String join(String dir, String child) {
        if (child.isEmpty() || child.equals("/")) {
            return dir;
        }
        String c = child.startsWith("/") ? child.substring(1) : child;
        return dir.endsWith("/") ? dir + c : dir + "/" + c;
    }

    static String parent(String dir) {
        int slash = dir.lastIndexOf('/');
        return slash <= 0 ? "/" : dir.substring(0, slash);
    }

    private static String trimSlash(String p) {
        String s = p;
        while (s.length() > 1 && s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }
}
