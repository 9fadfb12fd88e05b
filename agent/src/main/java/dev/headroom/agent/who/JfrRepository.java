package dev.headroom.agent.who;

import dev.headroom.internal.governor.HeapDumps;
import dev.headroom.internal.jvm.VmFlags;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where JFR would write the chunks of the heap recording, and whether that is memory. A
 * {@code RecordingStream} reads its events back from chunk files in JFR's disk repository (up to
 * {@link HeapSites#MAX_REPOSITORY_BYTES} bytes here): on tmpfs those files are pages charged to this
 * container's memory, written at the moment Headroom warns that memory is running out. The
 * repository is a directory JFR makes under, in this order, the one already in use
 * ({@code jdk.jfr.repository}, set once JFR runs), {@code -XX:FlightRecorderOptions:repository=}, or
 * {@code java.io.tmpdir}.
 */
final class JfrRepository {
    static final String FLAG = "FlightRecorderOptions";

    /** What the JVM says, read where it is needed; tests pass their own. */
    interface Jvm {
        String property(String key);

        /** The value of {@code -XX:FlightRecorderOptions}, empty when unset or unknown. */
        String recorderOptions();

        Jvm REAL = new Jvm() {
            @Override
            public String property(String key) {
                return System.getProperty(key);
            }

            @Override
            public String recorderOptions() {
                try {
                    return VmFlags.HOTSPOT.get(FLAG).map(VmFlags.Flag::value).orElse("");
                } catch (RuntimeException e) {
                    return ""; // not HotSpot, or no such flag: java.io.tmpdir is JFR's default then
                }
            }
        };
    }

    private JfrRepository() {
    }

    /** The directory JFR's repository is, or will be made, under. */
    static Path base(Jvm jvm) {
        String inUse = jvm.property("jdk.jfr.repository");
        if (inUse != null && !inUse.isEmpty()) {
            return Path.of(inUse);
        }
        for (String option : jvm.recorderOptions().split(",")) {
            if (option.startsWith("repository=") && option.length() > "repository=".length()) {
                return Path.of(option.substring("repository=".length()));
            }
        }
        String tmp = jvm.property("java.io.tmpdir");
        return Path.of(tmp != null ? tmp : "/tmp");
    }

    /**
     * Why the heap recording must not start here, or empty: the repository's file system is memory.
     * A directory whose file system cannot be read is let through; JFR reports its own failure.
     */
    static Optional<String> memoryBacked(Jvm jvm, HeapDumps.FileStores stores) {
        Path dir;
        String type;
        try {
            dir = base(jvm).toAbsolutePath();
            Path existing = dir;
            while (existing != null && !existing.toFile().exists()) {
                existing = existing.getParent(); // JFR creates it; its file system is its nearest parent's
            }
            type = existing == null ? null : stores.type(existing);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        if (type == null || !HeapDumps.isMemoryBacked(type)) {
            return Optional.empty();
        }
        return Optional.of("JFR's repository " + dir + " is on " + type + ": its chunk files, up to "
                + (HeapSites.MAX_REPOSITORY_BYTES >> 20) + " MiB, would be memory charged to this container just as it runs"
                + " short; -XX:" + FLAG + ":repository=<a directory on disk> gives heap sites");
    }
}
