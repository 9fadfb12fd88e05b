package dev.headroom.internal.governor.softlimit;

import dev.headroom.internal.kernfs.KernelFile;
import dev.headroom.internal.kernfs.ReadBuffer;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-thread CPU from {@code /proc/self/task/TID/stat}. The JVM's GC and JIT threads are native
 * threads that {@code ThreadMXBean} cannot see, but the kernel accounts them by name
 * ({@code GC Thread#0}, {@code G1 Conc#0}, {@code ZWorkerYoung#0}, {@code VM Thread},
 * {@code C2 CompilerThre}, ...; see {@link Collector}). Two sums are kept:
 * <ul>
 *   <li>the collector's threads: GC CPU, for the GC CPU cap;</li>
 *   <li>service threads: the JIT compilers and Headroom's own threads. Neither is the application
 *       working: the compilers finish compiling a burst's code for a second or two after the burst
 *       ends, and counting them (or the sampler) as application CPU would delay idle detection.</li>
 * </ul>
 *
 * <p>Cheap per sample: each tracked thread's stat file is kept open ({@link KernelFile}) and
 * re-read from offset 0 (proc regenerates it), into one reused buffer and parsed in place: no
 * allocation, one {@code pread} per thread ({@link ReadBuffer#readOnce}). At most {@value #MAX_OPEN} descriptors are kept; threads beyond that
 * (a many-core machine's GC workers) are opened per read. The task list is rescanned every
 * {@value #RESCAN_NANOS_TEXT} (collectors start workers lazily); a thread's name is read once.
 * Threads that exited keep their CPU in a carried total, so a sum never goes backwards. Readings
 * taken within {@value #FRESH_NANOS_TEXT} of each other are one reading. Where {@code /proc} is
 * missing the sums are -1 and the governor budgets with pause time alone.
 */
final class ProcCpuMeter implements CpuMeter {
    private static final String RESCAN_NANOS_TEXT = "10 s";
    private static final long RESCAN_NANOS = 10_000_000_000L;
    private static final String FRESH_NANOS_TEXT = "1 ms";
    private static final long FRESH_NANOS = 1_000_000L;
    /** USER_HZ: the unit of utime/stime in /proc stat files; 100 on every Linux ABI in use. */
    private static final long NANOS_PER_TICK = 10_000_000L;
    /** Known thread ids are bounded so a JVM that churns threads cannot grow this without end. */
    private static final int MAX_KNOWN = 65_536;
    static final int MAX_OPEN = 32;
    /** JIT compiler threads (C1, C2, Graal's JVMCI), the code cache sweeper (JDK 17), and Headroom's own. */
    static final List<String> SERVICE_PREFIXES = List.of("C1 CompilerThre", "C2 CompilerThre", "JVMCI", "Sweeper thread",
            "headroom-");

    /** Largest {@code stat} or {@code comm} read: a task's stat line is about 300 bytes. */
    private static final int MAX_READ = 1024;

    /** One tracked thread. */
    private static final class Task {
        final Path stat;
        final String name;
        final boolean gc;
        KernelFile file;
        long cpu;

        Task(Path stat, boolean gc) {
            this.stat = stat;
            this.name = stat.toString();
            this.gc = gc;
        }
    }

    private final Path taskDir;
    private final Path processStat;
    private KernelFile processFile;
    private final List<GarbageCollectorMXBean> gcBeans = ManagementFactory.getGarbageCollectorMXBeans();
    private final ReadBuffer buffer = new ReadBuffer(MAX_READ, MAX_READ);
    private List<String> prefixes = Collector.UNKNOWN.threadPrefixes();
    private final Map<String, Task> tracked = new HashMap<>();
    private final Set<String> otherThreads = new HashSet<>();
    private int open;
    private long exitedGc;
    private long exitedService;
    private long gcTotal = -1;
    private long serviceTotal = -1;
    private long lastScanNanos = Long.MIN_VALUE;
    private long lastReadNanos = Long.MIN_VALUE;
    private boolean procMissing;

    ProcCpuMeter(Path root) {
        this.taskDir = root.resolve("proc/self/task");
        this.processStat = root.resolve("proc/self/stat");
    }

    @Override
    public synchronized void collector(Collector collector) {
        if (!collector.threadPrefixes().equals(prefixes)) {
            prefixes = collector.threadPrefixes();
            for (Task t : tracked.values()) {
                closeQuietly(t);
            }
            tracked.clear();
            otherThreads.clear();
            open = 0;
            exitedGc = 0;
            exitedService = 0;
            lastScanNanos = Long.MIN_VALUE;
            lastReadNanos = Long.MIN_VALUE;
        }
    }

    @Override
    public synchronized long gcThreadCpuNanos() {
        refresh();
        return gcTotal;
    }

    @Override
    public synchronized long serviceThreadCpuNanos() {
        refresh();
        return serviceTotal;
    }

    private void refresh() {
        if (procMissing) {
            return;
        }
        long now = System.nanoTime();
        if (lastReadNanos != Long.MIN_VALUE && now - lastReadNanos < FRESH_NANOS) {
            return;
        }
        if (lastScanNanos == Long.MIN_VALUE || now - lastScanNanos >= RESCAN_NANOS) {
            if (!rescan()) {
                procMissing = true;
                gcTotal = -1;
                serviceTotal = -1;
                return;
            }
            lastScanNanos = now;
        }
        long gc = exitedGc;
        long service = exitedService;
        for (Iterator<Task> it = tracked.values().iterator(); it.hasNext(); ) {
            Task t = it.next();
            long cpu = threadCpu(t);
            if (cpu < 0) {
                retire(t);
                it.remove();
            } else {
                t.cpu = Math.max(t.cpu, cpu);
            }
        }
        for (Task t : tracked.values()) {
            if (t.gc) {
                gc += t.cpu;
            } else {
                service += t.cpu;
            }
        }
        gcTotal = gc;
        serviceTotal = service;
        lastReadNanos = now;
    }

    /** Tracks threads started since the last scan and retires those gone; false when there is no task directory. */
    private boolean rescan() {
        Set<String> present = new HashSet<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(taskDir)) {
            for (Path t : tasks) {
                String tid = t.getFileName().toString();
                present.add(tid);
                if (tracked.containsKey(tid) || otherThreads.contains(tid)) {
                    continue;
                }
                String comm = comm(t.resolve("comm"));
                if (comm == null) {
                    continue;
                }
                String name = comm.trim();
                boolean gc = startsWithAny(name, prefixes);
                if (gc || startsWithAny(name, SERVICE_PREFIXES)) {
                    tracked.put(tid, new Task(t.resolve("stat"), gc));
                } else if (otherThreads.size() < MAX_KNOWN) {
                    otherThreads.add(tid);
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        otherThreads.retainAll(present);
        for (Iterator<Map.Entry<String, Task>> it = tracked.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Task> e = it.next();
            if (!present.contains(e.getKey())) {
                retire(e.getValue());
                it.remove();
            }
        }
        return true;
    }

    private void retire(Task t) {
        if (t.gc) {
            exitedGc += t.cpu;
        } else {
            exitedService += t.cpu;
        }
        closeQuietly(t);
    }

    @Override
    public synchronized void close() {
        for (Task t : tracked.values()) {
            closeQuietly(t);
        }
        tracked.clear();
        if (processFile != null) {
            processFile.close();
        }
        procMissing = true;
        gcTotal = -1;
        serviceTotal = -1;
    }

    static boolean isGcThread(String comm, List<String> prefixes) {
        return startsWithAny(comm, prefixes);
    }

    static boolean isServiceThread(String comm) {
        return startsWithAny(comm, SERVICE_PREFIXES);
    }

    private static boolean startsWithAny(String comm, List<String> prefixes) {
        for (String p : prefixes) {
            if (comm.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * utime + stime of one thread in ns; -1 when it is gone or unreadable (an exited thread's stat
     * no longer exists or reads as an error, ESRCH).
     */
    private long threadCpu(Task t) {
        KernelFile f = t.file;
        boolean keep = f != null || open < MAX_OPEN;
        if (f == null) {
            f = KernelFile.open(t.stat, t.name);
            if (!f.present()) {
                return -1;
            }
            if (keep) {
                t.file = f;
                open++;
            }
        }
        try {
            int n = buffer.readOnce(f);
            return n <= 0 ? -1 : parseStatCpuNanos(buffer.data, n);
        } finally {
            if (!keep) {
                f.close();
            }
        }
    }

    private void closeQuietly(Task t) {
        if (t.file != null) {
            t.file.close();
            t.file = null;
            open--;
        }
    }

    /**
     * utime + stime (fields 14 and 15) of a {@code stat} line, in ns. The name field is in
     * parentheses and may itself contain spaces and parentheses, so fields are counted from the last
     * ')'. Returns -1 when the line is malformed.
     */
    static long parseStatCpuNanos(String stat) {
        byte[] b = stat.getBytes(StandardCharsets.US_ASCII);
        return parseStatCpuNanos(b, b.length);
    }

    static long parseStatCpuNanos(byte[] b, int length) {
        int i = length - 1;
        while (i >= 0 && b[i] != ')') {
            i--;
        }
        if (i < 0) {
            return -1;
        }
        // After the name: state is field 3; utime and stime are fields 14 and 15 (the 12th and 13th from here).
        int field = 2;
        long utime = -1;
        i++;
        while (i < length) {
            while (i < length && (b[i] == ' ' || b[i] == '\n')) {
                i++;
            }
            if (i >= length) {
                break;
            }
            field++;
            if (field == 14 || field == 15) {
                long v = 0;
                int start = i;
                while (i < length && b[i] >= '0' && b[i] <= '9') {
                    v = v * 10 + (b[i] - '0');
                    i++;
                }
                if (i == start || (i < length && b[i] != ' ' && b[i] != '\n')) {
                    return -1;
                }
                if (field == 14) {
                    utime = v;
                } else {
                    return (utime + v) * NANOS_PER_TICK;
                }
            } else {
                while (i < length && b[i] != ' ' && b[i] != '\n') {
                    i++;
                }
            }
        }
        return -1;
    }

    /** A thread's name, read once when it is first seen; null when it is gone or unreadable. */
    private String comm(Path p) {
        try (KernelFile f = KernelFile.open(p, p.toString())) {
            int n = buffer.read(f);
            return n < 0 ? null : new String(buffer.data, 0, n, StandardCharsets.US_ASCII);
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

    /**
     * utime + stime of the whole process from {@code /proc/self/stat}, the same ticks
     * {@code OperatingSystemMXBean.getProcessCpuTime} reports on Linux. Not that bean: creating it
     * sets up the JDK's own container metrics (about 20 classes of {@code jdk.internal.platform} and
     * their reads of mountinfo and the cgroup files) in every JVM Headroom runs in. The bean is the
     * fallback only where that file cannot be read.
     */
    @Override
    public synchronized long processCpuNanos() {
        if (processFile == null) {
            processFile = KernelFile.open(processStat, processStat.toString());
        }
        if (processFile.present()) {
            int n = buffer.readOnce(processFile);
            long t = n <= 0 ? -1 : parseStatCpuNanos(buffer.data, n);
            if (t >= 0) {
                return t;
            }
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean sun) {
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
