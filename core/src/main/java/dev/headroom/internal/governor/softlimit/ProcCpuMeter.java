package dev.headroom.internal.governor.softlimit;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GC CPU from {@code /proc/self/task/TID/stat}: the JVM's GC threads are native threads that
 * {@code ThreadMXBean} cannot see, but the kernel accounts them by name ({@code GC Thread#0},
 * {@code G1 Conc#0}, {@code ZWorkerYoung#0}, {@code VM Thread}, ...; see {@link Collector}).
 *
 * <p>Cheap per sample: only the GC threads' stat files are read. The task list is rescanned every
 * {@value #RESCAN_NANOS_TEXT} (collectors start workers lazily), and a thread's name is read once.
 * Threads that have exited keep their CPU in a carried total, so the sum never goes backwards.
 * Where {@code /proc} is missing, {@link #gcThreadCpuNanos()} is -1 and the governor budgets with
 * pause time alone.
 */
final class ProcCpuMeter implements CpuMeter {
    private static final String RESCAN_NANOS_TEXT = "10 s";
    private static final long RESCAN_NANOS = 10_000_000_000L;
    /** USER_HZ: the unit of utime/stime in /proc stat files; 100 on every Linux ABI in use. */
    private static final long NANOS_PER_TICK = 10_000_000L;
    /** Known thread ids are bounded so a JVM that churns threads cannot grow this without end. */
    private static final int MAX_KNOWN = 65_536;

    private final Path taskDir;
    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    private final List<GarbageCollectorMXBean> gcBeans = ManagementFactory.getGarbageCollectorMXBeans();
    private List<String> prefixes = Collector.UNKNOWN.threadPrefixes();
    private final Map<String, Long> gcThreads = new HashMap<>();
    private final Set<String> otherThreads = new HashSet<>();
    private long exitedNanos;
    private long lastScanNanos = Long.MIN_VALUE;
    private boolean procMissing;

    ProcCpuMeter(Path root) {
        this.taskDir = root.resolve("proc/self/task");
    }

    @Override
    public void collector(Collector collector) {
        if (!collector.threadPrefixes().equals(prefixes)) {
            prefixes = collector.threadPrefixes();
            otherThreads.clear();
            lastScanNanos = Long.MIN_VALUE;
        }
    }

    @Override
    public synchronized long gcThreadCpuNanos() {
        if (procMissing) {
            return -1;
        }
        long now = System.nanoTime();
        if (lastScanNanos == Long.MIN_VALUE || now - lastScanNanos >= RESCAN_NANOS) {
            if (!rescan()) {
                procMissing = true;
                return -1;
            }
            lastScanNanos = now;
        }
        long total = exitedNanos;
        for (Iterator<Map.Entry<String, Long>> it = gcThreads.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> e = it.next();
            long cpu = threadCpu(e.getKey());
            if (cpu < 0) {
                exitedNanos += e.getValue();
                total += e.getValue();
                it.remove();
            } else {
                e.setValue(cpu);
                total += cpu;
            }
        }
        return total;
    }

    /** Finds GC threads started since the last scan; false when there is no task directory. */
    private boolean rescan() {
        Set<String> present = new HashSet<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(taskDir)) {
            for (Path t : tasks) {
                String tid = t.getFileName().toString();
                present.add(tid);
                if (gcThreads.containsKey(tid) || otherThreads.contains(tid)) {
                    continue;
                }
                String comm = read(t.resolve("comm"));
                if (comm == null) {
                    continue;
                }
                if (isGcThread(comm.trim(), prefixes)) {
                    gcThreads.put(tid, 0L);
                } else if (otherThreads.size() < MAX_KNOWN) {
                    otherThreads.add(tid);
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        otherThreads.retainAll(present);
        return true;
    }

    static boolean isGcThread(String comm, List<String> prefixes) {
        for (String p : prefixes) {
            if (comm.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** utime + stime of one thread in ns; -1 when it is gone. */
    private long threadCpu(String tid) {
        String stat = read(taskDir.resolve(tid).resolve("stat"));
        return stat == null ? -1 : parseStatCpuNanos(stat);
    }

    /**
     * utime + stime (fields 14 and 15) of a {@code stat} line, in ns. The name field is in
     * parentheses and may itself contain spaces and parentheses, so fields are counted from the last
     * ')'. Returns -1 when the line is malformed.
     */
    static long parseStatCpuNanos(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return -1;
        }
        String[] f = stat.substring(close + 1).trim().split("\\s+");
        // After the name: state(3) ppid(4) ... utime is field 14, i.e. index 11 here.
        if (f.length < 13) {
            return -1;
        }
        try {
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException gone) {
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public long gcPauseNanos() {
        long ms = 0;
        for (GarbageCollectorMXBean gc : gcBeans) {
            if (Collector.isPauseBean(gc.getName())) {
                ms += Math.max(0, gc.getCollectionTime());
            }
        }
        return ms * 1_000_000L;
    }

    @Override
    public long processCpuNanos() {
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            long t = sun.getProcessCpuTime();
            return t < 0 ? -1 : t;
        }
        return -1;
    }

    @Override
    public int processors() {
        return Runtime.getRuntime().availableProcessors();
    }
}
