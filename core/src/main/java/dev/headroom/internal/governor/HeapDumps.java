package dev.headroom.internal.governor;

import dev.headroom.Budget;
import dev.headroom.Constraint;
import dev.headroom.HeadroomConfig;
import dev.headroom.internal.clock.Ticker;
import dev.headroom.internal.config.Values;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.events.EventSink;
import dev.headroom.internal.kernfs.KernelFile;
import dev.headroom.internal.events.OwnerOnly;
import dev.headroom.internal.jvm.HotSpotDiagnostics;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * {@code heapDumpAt}: one heap dump per incident, written safely.
 *
 * <ul>
 * <li>Armed at start; fires on the first sample at or above the threshold, then re-arms only once
 *     the working set falls below {@value PressureLevels#CLEAR_FRACTION} of it.</li>
 * <li>Rate limited: a trigger within {@code heapDumpMinInterval} of the last dump is refused.</li>
 * <li>Refused on tmpfs/ramfs unless {@code heapDumpAllowTmpfs}: a file there is memory charged to
 *     the same cgroup, so the dump itself would push the container over its limit.</li>
 * <li>Refused when the target's usable space is below the expected size: heap used plus
 *     max(64 MiB, 25%) — an hprof has 8-byte object ids and record headers that a compressed-oops
 *     heap does not.</li>
 * <li>Written by {@code HotSpotDiagnosticMXBean.dumpHeap(file, live=true)} (live objects only: a
 *     smaller file, less page cache) into a fresh 0700 temporary directory on the same file system,
 *     fsynced (dirty page cache becomes clean, so the kernel can drop it instead of charging it as
 *     unreclaimable), made 0600, then hard-linked to its final name — which fails rather than
 *     replaces if the name exists — and the temporary directory removed.</li>
 * <li>Named {@code headroom-<host>-<pid>-<yyyyMMdd-HHmmss>.hprof} (UTC); never overwrites.</li>
 * </ul>
 * The dump runs on its own daemon thread ({@code headroom-heap-dump}): it pauses the JVM for
 * seconds and the sampler must not wait for it.
 */
public final class HeapDumps {
    static final long MIN_MARGIN_BYTES = 64L << 20;
    /** Tries, 50 ms apart, to finish a published dump's clean-up and event in a heap a leak filled: 2 s in all. */
    static final int FULL_HEAP_ATTEMPTS = 40;
    private static final long FULL_HEAP_PAUSE_MILLIS = 50;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** Writes a heap dump to a file that does not exist yet. */
    public interface DumpAction {
        void dump(Path file) throws IOException;

        /**
         * {@code HotSpotDiagnosticMXBean.dumpHeap(file, live=true)} on the bean looked up once
         * ({@link HotSpotDiagnostics}); a class, so the dump links nothing at run time.
         */
        DumpAction HOTSPOT = new DumpAction() {
            @Override
            public void dump(Path file) throws IOException {
                com.sun.management.HotSpotDiagnosticMXBean bean = HotSpotDiagnostics.bean();
                if (bean == null) {
                    throw new IOException("no HotSpotDiagnosticMXBean in this JVM: it cannot write a heap dump");
                }
                bean.dumpHeap(file.toString(), true);
            }
        };
    }

    /** What is known about the file system of a directory. */
    public interface FileStores {
        String type(Path dir) throws IOException;

        long usableSpace(Path dir) throws IOException;

        FileStores REAL = new FileStores() {
            @Override
            public String type(Path dir) throws IOException {
                return Files.getFileStore(dir).type();
            }

            @Override
            public long usableSpace(Path dir) throws IOException {
                return Files.getFileStore(dir).getUsableSpace();
            }
        };
    }

    /** Replaced by {@link #reconfigure} on the sampler thread between samples; volatile for the dump's own thread. */
    private volatile HeadroomConfig config;
    private final EventSink events;
    private final Diagnostics diagnostics;
    private final Ticker ticker;
    private final DumpAction action;
    private final FileStores stores;
    private final String host;
    private final long pid;
    private final boolean async;
    private final AtomicLong written = new AtomicLong();
    private volatile Runnable afterDump = () -> { };
    private volatile Supplier<Map<String, Object>> who = () -> null;
    private final AtomicLong refused = new AtomicLong();
    private boolean armed = true;
    private long lastDumpNanos = Long.MIN_VALUE;
    private volatile Thread running;
    private volatile OutOfMemoryDump backstop;

    /**
     * @param async false runs the dump on the caller's thread (tests)
     */
    public HeapDumps(HeadroomConfig config, EventSink events, Diagnostics diagnostics, Ticker ticker, DumpAction action,
                     FileStores stores, String host, long pid, boolean async) {
        this.config = config;
        this.events = events;
        this.diagnostics = diagnostics;
        this.ticker = ticker;
        this.action = action;
        this.stores = stores;
        this.host = sanitize(host);
        this.pid = pid;
        this.async = async;
    }

    /** {@code heapDumpAt}, as in force. */
    HeadroomConfig.Size threshold() {
        return config.heapDumpAt();
    }

    /** Whether the next sample at or above {@code heapDumpAt} triggers a dump (one per incident). */
    boolean armed() {
        return armed;
    }

    /** The heap dump options ({@code heapDumpAt}, its directory, tmpfs, least interval) from the next sample on. */
    public void reconfigure(HeadroomConfig config) {
        this.config = config;
    }

    /**
     * Runs after every dump attempt, on the dump's thread. The runtime asks for a sample at once: a
     * dump pauses the JVM and writes as much page cache as the heap, so the working set may have
     * passed exitAt while nothing was sampling (seen with a 200 MiB/s leak in a 200 MiB container).
     */
    /** What the {@code heap_dump} event says about the growing call sites ({@code who}); null for nothing. */
    public void whoFields(Supplier<Map<String, Object>> sites) {
        this.who = sites;
    }

    public void afterEachDump(Runnable action) {
        this.afterDump = action;
    }

    /**
     * The JVM's own dump at its first {@code OutOfMemoryError}, armed now and with every re-arm of
     * this one, disarmed while a dump of this one stands for the incident.
     */
    public void backstop(OutOfMemoryDump dump) {
        this.backstop = dump;
        if (dump != null) {
            dump.arm();
        }
    }

    public long written() {
        return written.get();
    }

    public long refused() {
        return refused.get();
    }

    /** Waits up to {@code millis} for a dump being written; true when none is running. */
    public boolean awaitIdle(long millis) throws InterruptedException {
        Thread t = running;
        if (t != null) {
            t.join(Math.max(1, millis));
            return !t.isAlive();
        }
        return true;
    }

    /** Called by the governor on every sample (sampler thread). */
    public void onSample(Budget budget, long nowNanos) {
        OutOfMemoryDump jvmDump = backstop;
        if (jvmDump != null) {
            jvmDump.onSample(nowNanos);
        }
        double ratio = Thresholds.ratio(config.heapDumpAt(), budget);
        if (!armed) {
            if (ratio < PressureLevels.CLEAR_FRACTION) {
                armed = true;
                if (jvmDump != null) {
                    jvmDump.arm();
                }
            }
            return;
        }
        if (ratio < 1) {
            return;
        }
        long t = config.heapDumpAt().resolve(budget.limitBytes()).orElse(0);
        Constraint binding = Thresholds.binding(config.heapDumpAt(), budget);
        String constraint = binding == null ? Constraint.CGROUP : binding.name();
        String reason = binding != null && !binding.name().equals(Constraint.CGROUP)
                ? WarnMessage.describe(binding) + " reached heapDumpAt " + config.heapDumpAt()
                : "working set " + Values.humanBytes(budget.workingSetBytes()) + " reached heapDumpAt " + config.heapDumpAt()
                + (t > 0 ? " (" + Values.humanBytes(t) + ")" : "");
        armed = false;
        long minInterval = config.heapDumpMinInterval().toNanos();
        if (lastDumpNanos != Long.MIN_VALUE && nowNanos - lastDumpNanos < minInterval) {
            long ago = TimeUnit.NANOSECONDS.toSeconds(nowNanos - lastDumpNanos);
            refuse("rate_limited", "the last heap dump was " + ago + " s ago (heapDumpMinInterval="
                    + Values.formatDuration(config.heapDumpMinInterval()) + ")", null, Map.of());
            return;
        }
        if (running != null && running.isAlive()) {
            refuse("in_progress", "a heap dump is already being written", null, Map.of());
            return;
        }
        lastDumpNanos = nowNanos;
        long heapUsed = budget.jvm().heapUsedBytes();
        long workingSet = budget.workingSetBytes();
        // A class, not a lambda: nothing is spun at run time between the decision and the dump.
        Runnable job = new Runnable() {
            @Override
            public void run() {
                write(workingSet, t, heapUsed, constraint, reason);
            }
        };
        if (async) {
            Thread th = new Thread(job, "headroom-heap-dump");
            th.setDaemon(true);
            running = th;
            th.start();
        } else {
            job.run();
        }
    }

    private void write(long workingSet, long threshold, long heapUsed, String constraint, String reason) {
        Path dir = config.heapDumpDir().orElse(Path.of("")).toAbsolutePath();
        Path tempDir = null;
        Path temp = null;
        long before = written.get();
        try {
            if (!Files.isDirectory(dir)) {
                // 0700 whatever the umask; a directory that already exists keeps its mode.
                OwnerOnly.createDirectories(dir);
            }
            String type = stores.type(dir);
            if (isMemoryBacked(type) && !config.heapDumpAllowTmpfs()) {
                refuse("tmpfs", dir + " is on " + type + ": a dump there is memory charged to this container and would "
                        + "push it over its limit; set heapDumpDir to a disk-backed directory (or heapDumpAllowTmpfs=true)",
                        dir, Map.of("fileSystemType", type));
                return;
            }
            long needed = heapUsed + Math.max(MIN_MARGIN_BYTES, heapUsed / 4);
            long usable = stores.usableSpace(dir);
            OutOfMemoryDump jvmDump = backstop;
            if (jvmDump != null && jvmDump.armed() && usable < needed + jvmDump.bytesNeeded()) {
                // The JVM's own stays armed while this one is written only if both fit: a leak that
                // outruns this dump fills the heap before it is published, and the JVM dumps then.
                jvmDump.disarm("no room for it beside Headroom's own dump of this incident");
            }
            if (usable < needed) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("neededBytes", needed);
                f.put("usableBytes", usable);
                refuse("no_space", dir + " has " + Values.humanBytes(usable) + " usable, a dump of "
                        + Values.humanBytes(heapUsed) + " used heap needs about " + Values.humanBytes(needed), dir, f);
                return;
            }
            String name = "headroom-" + host + "-" + pid + "-" + STAMP.format(Instant.ofEpochMilli(ticker.currentTimeMillis()));
            tempDir = createPrivateTempDir(dir);
            temp = tempDir.resolve(name + ".hprof");
            long started = ticker.nanoTime();
            action.dump(temp);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            setPermissions(temp, "rw-------");
            Path target = publish(temp, dir, name);
            double seconds = (ticker.nanoTime() - started) / 1e9;
            written.incrementAndGet();
            // The second name goes first: from here on a heap the leak filled may refuse every
            // allocation, and what is left must be the one file, not a hidden copy of the secrets.
            if (removeTemporary(temp, tempDir)) {
                tempDir = null;
            }
            reportWritten(target, seconds, workingSet, threshold, heapUsed, constraint, reason, jvmDump);
        } catch (IOException | RuntimeException e) {
            events.emit("error", errorFields("heap_dump", dir, e), "heap dump to " + dir + " failed: " + Diagnostics.describe(e));
        } catch (OutOfMemoryError e) {
            // The heap filled while this dump was prepared: the JVM's own dump (if armed) is the one.
            try {
                events.emit("error", errorFields("heap_dump", dir, new IOException("the heap ran out while the dump was prepared")),
                        "heap dump to " + dir + " failed: the heap ran out while it was prepared");
            } catch (OutOfMemoryError again) {
                // nothing more can be said with a full heap
            }
        } finally {
            if (tempDir != null) {
                removeTemporary(temp, tempDir);
            }
            OutOfMemoryDump jvmDump = backstop;
            if (jvmDump != null && written.get() == before) {
                try {
                    jvmDump.arm(); // no dump of this incident after all: the JVM's own stands guard again
                } catch (OutOfMemoryError e) {
                    // a full heap: it stays as it was
                }
            }
            try {
                afterDump.run();
            } catch (RuntimeException e) {
                diagnostics.failure("after the heap dump", e);
            }
        }
    }

    /**
     * The {@code heap_dump} event of a published dump. A leak that outran the dump may have filled
     * the heap by now; the thread that dies of it frees its garbage, so a few short waits usually
     * find room for the event (and the exit, if one is coming, waits for this thread).
     */
    private void reportWritten(Path target, double seconds, long workingSet, long threshold, long heapUsed, String constraint,
                               String reason, OutOfMemoryDump jvmDump) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                emitWritten(target, seconds, workingSet, threshold, heapUsed, constraint, reason);
                break;
            } catch (OutOfMemoryError e) {
                if (attempt >= FULL_HEAP_ATTEMPTS || !pauseForRoom()) {
                    break; // the file is published and complete; only its event is lost
                }
            }
        }
        if (jvmDump != null) {
            try {
                jvmDump.disarm("Headroom's own dump of this incident was written (" + target + ")");
            } catch (OutOfMemoryError e) {
                // it stays armed: at worst a second, complete dump of the same incident
            }
        }
    }

    private void emitWritten(Path target, double seconds, long workingSet, long threshold, long heapUsed, String constraint,
                             String reason) throws IOException {
        long bytes = Files.size(target);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("path", target.toString());
        f.put("bytes", bytes);
        f.put("seconds", Math.round(seconds * 1000) / 1000.0);
        f.put("workingSetBytes", workingSet);
        f.put("heapDumpAtBytes", threshold);
        f.put("heapUsedBytes", heapUsed);
        f.put("constraint", constraint);
        Map<String, Object> growing = who.get();
        if (growing != null) {
            f.put("who", growing);
        }
        events.emit("heap_dump", f, String.format(Locale.ROOT, "heap dump written: %s (%s in %.1f s; %s)",
                target, Values.humanBytes(bytes), seconds, reason));
    }

    private static Map<String, Object> errorFields(String where, Path dir, Exception e) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("where", where);
        f.put("dir", dir.toString());
        f.put("message", Diagnostics.describe(e));
        return f;
    }

    private void refuse(String reason, String detail, Path dir, Map<String, Object> extra) {
        refused.incrementAndGet();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("reason", reason);
        if (dir != null) {
            f.put("dir", dir.toString());
        }
        f.putAll(extra);
        f.put("detail", detail);
        events.emit("heap_dump_refused", f, "heap dump refused: " + detail);
    }

    /** Whether files on a file system of this type are memory (tmpfs, ramfs, ...). */
    public static boolean isMemoryBacked(String fileSystemType) {
        String t = fileSystemType.toLowerCase(Locale.ROOT);
        return t.equals("tmpfs") || t.equals("ramfs") || t.equals("devtmpfs") || t.equals("shm");
    }

    private static Path createPrivateTempDir(Path dir) throws IOException {
        return OwnerOnly.createPrivateDirectory(dir, ".headroom-dump-");
    }

    private static void setPermissions(Path p, String perms) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: the private temporary directory was the best available.
        }
    }

    /** Links {@code temp} to {@code dir/name.hprof} (or {@code name-1.hprof}, ...) without ever replacing a file. */
    private static Path publish(Path temp, Path dir, String name) throws IOException {
        for (int i = 0; i < 100; i++) {
            Path target = dir.resolve(i == 0 ? name + ".hprof" : name + "-" + i + ".hprof");
            try {
                try {
                    Files.createLink(target, temp);
                } catch (UnsupportedOperationException e) {
                    // No hard links here: a move without REPLACE_EXISTING also refuses an existing name.
                    Files.move(temp, target);
                }
                return target;
            } catch (FileAlreadyExistsException e) {
                // someone has this name: try the next
            }
        }
        throw new IOException("no free name for " + name + ".hprof in " + dir);
    }

    /**
     * Removes the private temporary directory and the file in it (the dump's second name, or a
     * partial dump). A full heap may refuse the few bytes a delete takes: it waits and tries again,
     * as in {@link #reportWritten}. True when both are gone.
     */
    private static boolean removeTemporary(Path file, Path dir) {
        for (int attempt = 1; ; attempt++) {
            try {
                if (file != null) {
                    Files.deleteIfExists(file);
                }
                Files.deleteIfExists(dir);
                return true;
            } catch (DirectoryNotEmptyException e) {
                deleteQuietly(dir); // something besides the dump: a dumper's own leftovers
                return !Files.exists(dir);
            } catch (IOException | RuntimeException e) {
                return false;
            } catch (OutOfMemoryError e) {
                if (attempt >= FULL_HEAP_ATTEMPTS || !pauseForRoom()) {
                    return false;
                }
            }
        }
    }

    /** A short wait for a full heap to be freed; false when interrupted (the interrupt is kept). */
    private static boolean pauseForRoom() {
        try {
            Thread.sleep(FULL_HEAP_PAUSE_MILLIS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort
        }
        try {
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // best effort: a leftover empty hidden directory
        }
    }

    public static String sanitize(String host) {
        if (host == null || host.isBlank()) {
            return "unknown";
        }
        StringBuilder sb = new StringBuilder(host.length());
        for (int i = 0; i < host.length() && sb.length() < 64; i++) {
            char c = host.charAt(i);
            sb.append(Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_' ? c : '_');
        }
        return sb.toString();
    }

    /** The host name without a DNS lookup: {@code /proc/sys/kernel/hostname}, else {@code HOSTNAME}. */
    public static String hostName(Path root) {
        try {
            // Bounded and never blocking (a FIFO there would stall the start): a host name is at most 64 bytes.
            String s = new String(KernelFile.readSmall(root.resolve("proc/sys/kernel/hostname"), "/proc/sys/kernel/hostname",
                    4096), StandardCharsets.UTF_8).trim();
            if (!s.isEmpty()) {
                return s;
            }
        } catch (IOException | RuntimeException ignored) {
            // fall through
        }
        String env = System.getenv("HOSTNAME");
        return env == null ? "unknown" : env;
    }
}
