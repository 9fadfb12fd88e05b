package dev.headroom.internal.governor;

import dev.headroom.HeadroomConfig;
import dev.headroom.internal.clock.Ticker;
import dev.headroom.internal.config.Values;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.events.EventSink;
import dev.headroom.internal.events.OwnerOnly;
import dev.headroom.internal.jvm.VmFlags;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The JVM's own heap dump at its first {@code OutOfMemoryError}, armed by Headroom as a backstop
 * to {@code heapDumpAt}: a leak of hundreds of MiB/s fills a small heap between two collections,
 * faster than any observer can start a dump, but HotSpot writes one itself, inside the failing
 * allocation, before the error is thrown ({@code HeapDumpOnOutOfMemoryError}; it and
 * {@code HeapDumpPath} are manageable flags, so they can be set at run time).
 *
 * <p>The same rules as Headroom's own dumps: into {@code heapDumpDir} (0700 when created), never on
 * tmpfs unless allowed, only while the directory has room for a full heap plus the hprof margin
 * (re-checked every {@value #SPACE_CHECK_SECONDS} s), a file name of its own that HotSpot creates
 * with {@code O_CREAT|O_EXCL} and mode 0600 (it never replaces a file). It stays armed while
 * Headroom's own dump of an incident is written when the directory has room for both (a leak that
 * outruns that dump fills the heap before it is published: then there are two), and is disarmed once
 * that dump is published, re-armed with Headroom's. Left alone
 * when the JVM's options set either flag: the user's choice wins. HotSpot dumps at the first
 * {@code OutOfMemoryError} of the JVM's life only (heap or metaspace; not direct memory, which the
 * JDK throws from Java code), whoever armed it. Thread-safe: the sampler, the dump thread and the
 * shutdown hook all call in.
 */
public final class OutOfMemoryDump {
    static final long SPACE_CHECK_SECONDS = 60;
    static final String DUMP_FLAG = "HeapDumpOnOutOfMemoryError";
    static final String PATH_FLAG = "HeapDumpPath";
    /** A file whose size has not changed for this long is complete (JDK 21+ merges segments after the pause). */
    private static final long STABLE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** At exit, the longest wait for a dump still being written. */
    private static final long AT_EXIT_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final HeadroomConfig config;
    private final EventSink events;
    private final Diagnostics diagnostics;
    private final Ticker ticker;
    private final VmFlags flags;
    private final HeapDumps.FileStores stores;
    private final String host;
    private final long pid;
    private final long maxHeapBytes;
    /** Armed by Headroom at this path, or null. */
    private Path armed;
    /** Written by the JVM while armed, disarmed since, not reported yet; or null. */
    private Path pending;
    /** Why not armed, or the armed path, for the start event. */
    private String state;
    private boolean refusalSaid;
    /** Set once Headroom has set the flags: they are no longer at their defaults, but still Headroom's to change. */
    private boolean ours;
    /** False while Headroom's own dump of the incident stands in for it. */
    private boolean wanted = true;
    private long spaceCheckedNanos;
    private long lastSize = -1;
    private long lastSizeNanos;
    private boolean reported;

    public OutOfMemoryDump(HeadroomConfig config, EventSink events, Diagnostics diagnostics, Ticker ticker, VmFlags flags,
                    HeapDumps.FileStores stores, String host, long pid, long maxHeapBytes) {
        this.config = config;
        this.events = events;
        this.diagnostics = diagnostics;
        this.ticker = ticker;
        this.flags = flags;
        this.stores = stores;
        this.host = host;
        this.pid = pid;
        this.maxHeapBytes = maxHeapBytes;
        this.state = config.heapDumpOnOutOfMemory() ? "not armed yet" : "off (heapDumpOnOutOfMemory=false)";
    }

    /**
     * Continues from {@code previous} (settings changed at run time): the flags it set are no longer
     * at their defaults but still Headroom's, and a dump the JVM has written is still to be reported.
     */
    public synchronized void takeOver(OutOfMemoryDump previous) {
        synchronized (previous) {
            ours = previous.ours;
            reported = previous.reported;
            pending = previous.pending;
        }
    }

    /** The settings it was armed under. */
    public HeadroomConfig config() {
        return config;
    }

    /** The armed path, or why there is none: for the {@code start} event. */
    public synchronized String state() {
        return state;
    }

    /** Whether the JVM will dump at its first {@code OutOfMemoryError} into a file Headroom chose. */
    public synchronized boolean armed() {
        return armed != null;
    }

    /** Room a dump of the whole heap needs: the heap plus the hprof margin. */
    long bytesNeeded() {
        return maxHeapBytes + Math.max(HeapDumps.MIN_MARGIN_BYTES, maxHeapBytes / 4);
    }

    /** Arms the JVM's dump when allowed and not armed; a no-op otherwise. Never throws. */
    synchronized void arm() {
        wanted = true;
        // HotSpot dumps at the JVM's first OutOfMemoryError only: once it has, arming again is void.
        if (armed != null || pending != null || reported || !config.heapDumpOnOutOfMemory()) {
            return;
        }
        spaceCheckedNanos = ticker.nanoTime();
        try {
            Optional<VmFlags.Flag> dump = flags.get(DUMP_FLAG);
            Optional<VmFlags.Flag> path = flags.get(PATH_FLAG);
            if (dump.isEmpty() || path.isEmpty()) {
                state = "not armed: this JVM has no " + DUMP_FLAG + " flag";
                return;
            }
            if (!ours && (!dump.get().isDefault() || !path.get().isDefault())) {
                // The JVM's options chose; a user's -XX:+HeapDumpOnOutOfMemoryError or path is never changed.
                state = "left to the JVM's options (" + DUMP_FLAG + "=" + dump.get().value()
                        + (path.get().value().isEmpty() ? "" : ", " + PATH_FLAG + "=" + path.get().value()) + ")";
                return;
            }
            Path dir = config.heapDumpDir().orElse(Path.of("")).toAbsolutePath();
            String problem = roomFor(dir);
            if (problem != null) {
                refuse(problem);
                return;
            }
            Path file = freeName(dir);
            ours = true;
            flags.set(PATH_FLAG, file.toString());
            flags.set(DUMP_FLAG, "true");
            armed = file;
            state = file.toString();
            refusalSaid = false;
        } catch (IOException | RuntimeException e) {
            refuse("arming failed: " + Diagnostics.describe(e));
        }
    }

    /** Turns the JVM's dump off again if Headroom armed it (its own dump was written; Headroom stops). */
    public synchronized void disarm(String why) {
        wanted = false;
        disarmOnly(why);
    }

    private void disarmOnly(String why) {
        if (armed == null) {
            return;
        }
        try {
            flags.set(DUMP_FLAG, "false");
            flags.set(PATH_FLAG, "");
            state = "disarmed: " + why;
        } catch (RuntimeException e) {
            diagnostics.failure("disarming the JVM's OutOfMemoryError heap dump", e);
        }
        if (Files.exists(armed, LinkOption.NOFOLLOW_LINKS)) {
            // The JVM has dumped already (its dump ran before Headroom's, whose publication disarms it):
            // the file is still watched, to be reported once complete.
            pending = armed;
        }
        armed = null;
    }

    /**
     * On every sample: reports the JVM's dump once it is complete, and re-checks the room for it
     * every {@value #SPACE_CHECK_SECONDS} s (a disk filling up disarms it, room again re-arms it).
     */
    synchronized void onSample(long nowNanos) {
        if (watched() != null && written(nowNanos, false)) {
            return;
        }
        if (nowNanos - spaceCheckedNanos < TimeUnit.SECONDS.toNanos(SPACE_CHECK_SECONDS)) {
            return;
        }
        if (armed == null) {
            if (wanted && !reported && state.startsWith("not armed: ")) {
                arm(); // refused for want of room (or arming failed): room may have come back
            }
            return;
        }
        spaceCheckedNanos = nowNanos;
        String problem;
        try {
            problem = roomFor(armed.getParent());
        } catch (IOException | RuntimeException e) {
            problem = "checking room failed: " + Diagnostics.describe(e);
        }
        if (problem != null) {
            disarmOnly(problem);
            refuse(problem);
        }
    }

    /** At JVM shutdown: the error that ends the JVM was thrown after its dump was complete. */
    public synchronized void atExit() {
        if (watched() == null) {
            return;
        }
        // Headroom's own exit may start the shutdown while the JVM still writes its dump (JDK 21+ merges
        // the segments after the pause, in the failing thread): wait, bounded, for the size to settle.
        long size = sizeOf(watched());
        if (size < 0) {
            return; // no dump: an ordinary shutdown does not wait
        }
        long deadline = System.nanoTime() + AT_EXIT_WAIT_NANOS;
        while (System.nanoTime() < deadline) {
            try {
                Thread.sleep(STABLE_NANOS / 1_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long now = sizeOf(watched());
            if (now > 0 && now == size) {
                break;
            }
            size = now;
        }
        written(ticker.nanoTime(), true);
    }

    private static long sizeOf(Path file) {
        try {
            return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Files.size(file) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private Path watched() {
        return armed != null ? armed : pending;
    }

    /** True (and the event emitted) when the JVM has written its dump. */
    private boolean written(long nowNanos, boolean atExit) {
        Path file = watched();
        long size;
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            size = Files.size(file);
        } catch (IOException e) {
            return false;
        }
        if (!atExit && (size == 0 || size != lastSize || nowNanos - lastSizeNanos < STABLE_NANOS)) {
            if (size != lastSize) {
                lastSize = size;
                lastSizeNanos = nowNanos;
            }
            return false;
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("path", file.toString());
        f.put("bytes", size);
        f.put("by", "jvm");
        f.put("trigger", "OutOfMemoryError");
        events.emit("heap_dump", f, "heap dump written by the JVM at its first OutOfMemoryError: " + file + " ("
                + Values.humanBytes(size) + ")");
        reported = true;
        state = "written: " + file;
        armed = null; // HotSpot dumps at the first OutOfMemoryError only: nothing more to watch
        pending = null;
        return true;
    }

    /** Null when {@code dir} may take a dump of the whole heap, else why not. */
    private String roomFor(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            OwnerOnly.createDirectories(dir);
        }
        String type = stores.type(dir);
        if (HeapDumps.isMemoryBacked(type) && !config.heapDumpAllowTmpfs()) {
            return dir + " is on " + type + " (memory charged to this container)";
        }
        long needed = bytesNeeded();
        long usable = stores.usableSpace(dir);
        if (usable < needed) {
            return dir + " has " + Values.humanBytes(usable) + " usable, a dump of the whole "
                    + Values.humanBytes(maxHeapBytes) + " heap needs about " + Values.humanBytes(needed);
        }
        return null;
    }

    private Path freeName(Path dir) throws IOException {
        String name = "headroom-" + host + "-" + pid + "-oome";
        for (int i = 0; i < 100; i++) {
            Path p = dir.resolve(i == 0 ? name + ".hprof" : name + "-" + i + ".hprof");
            if (Files.notExists(p, LinkOption.NOFOLLOW_LINKS)) {
                return p;
            }
        }
        throw new IOException("no free name for " + name + ".hprof in " + dir);
    }

    private void refuse(String problem) {
        state = "not armed: " + problem;
        if (!refusalSaid) {
            refusalSaid = true;
            diagnostics.line("the JVM's heap dump at OutOfMemoryError is not armed: " + problem);
        }
    }
}
