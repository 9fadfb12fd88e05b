package dev.headroom.internal.events;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JSON-lines event log. Each line goes to the kernel in one {@code write(2)} on a file opened
 * with {@code O_APPEND}, unbuffered: once {@link #append} returns, the line is in the page cache and
 * survives the process being SIGKILLed a moment later (not a machine crash: no fsync, which would
 * stall the sampler on a slow disk). A failure to open or write (full disk, unwritable path) is
 * reported once; later lines are still attempted, so the log resumes when the disk frees up.
 *
 * <p>The file is opened through {@link OwnerOnly#openAppend}: created 0600 (directories 0700) whatever
 * the umask, and never through a symbolic link or into a FIFO or device at that path.
 */
public final class EventLog implements AutoCloseable {
    private final Path path;
    private final Diagnostics diagnostics;
    private FileChannel out;
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
                    OwnerOnly.createDirectories(parent);
                }
                out = OwnerOnly.openAppend(path);
            }
            // One write(2) for a line: a regular file takes it whole (the loop is for the contract only).
            ByteBuffer line = ByteBuffer.wrap(bytes);
            while (line.hasRemaining()) {
                out.write(line);
            }
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
