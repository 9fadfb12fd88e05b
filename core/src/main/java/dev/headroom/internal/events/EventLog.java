package dev.headroom.internal.events;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JSON-lines event log. Each line goes to the kernel in one {@code write(2)} on a file opened
 * with {@code O_APPEND}, unbuffered: once {@link #append} returns, the line is in the page cache and
 * survives the process being SIGKILLed a moment later (not a machine crash: no fsync, which would
 * stall the sampler on a slow disk). A failure to open or write (full disk, unwritable path) is
 * reported once; later lines are still attempted, so the log resumes when the disk frees up.
 */
public final class EventLog implements AutoCloseable {
    private final Path path;
    private final Diagnostics diagnostics;
    private FileOutputStream out;
    private boolean failedOnce;

    public EventLog(Path path, Diagnostics diagnostics) {
        this.path = path;
        this.diagnostics = diagnostics;
    }

    public Path path() {
        return path;
    }

    /** Appends one line (a newline is added). Never throws. */
    public synchronized void append(CharSequence jsonLine) {
        byte[] bytes = (jsonLine + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            if (out == null) {
                Path parent = path.toAbsolutePath().getParent();
                if (parent != null && !Files.isDirectory(parent)) {
                    Files.createDirectories(parent);
                }
                refuseNonRegular(path);
                out = new FileOutputStream(path.toFile(), true);
            }
            out.write(bytes);
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            if (!failedOnce) {
                failedOnce = true;
                diagnostics.once("eventlog:" + path, "cannot write event log " + path + ": " + Diagnostics.describe(e)
                        + " (reported once; events still go to stderr, and later lines are retried)");
            }
        }
    }

    /**
     * Opening a FIFO for writing waits for a reader (fifo(7)), and a write to one whose reader stops
     * waits for room: either would stall the thread that emits. Only a regular file, or none yet, is
     * opened.
     */
    private static void refuseNonRegular(Path path) throws IOException {
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            throw new IOException("not a regular file (a FIFO, device or directory); not opened, so that writing cannot block");
        }
    }

    private void closeQuietly() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // already failing; the failure was reported
            }
            out = null;
        }
    }

    @Override
    public synchronized void close() {
        closeQuietly();
    }
}
