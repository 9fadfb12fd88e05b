package dev.headroom.internal.kernfs;

import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;

/**
 * A cgroup or proc file kept open and re-read from offset 0 every sample. kernfs and seq_file
 * regenerate the content when a read starts at offset 0, so one open descriptor serves every
 * sample without the cost (and garbage) of an open/close per read. A file that did not exist when
 * opened stays absent until it is opened again.
 *
 * <p>The descriptor is a {@link RandomAccessFile}, read with {@code lseek} and {@code read} straight
 * into a heap array: on this project's 2-core VM, a {@code FileChannel} positioned read after the
 * sampler wakes cost 60 µs more than the wake itself (its locks, interruptibility bookkeeping and a
 * temporary direct buffer), this path 28 µs; the watch reads a file on every wake.
 *
 * <p>Opening never blocks and never throws: anything that is not a regular file (a FIFO planted
 * under a test root or a captured tree, a device, a directory) is refused before {@code open(2)},
 * because opening a FIFO for reading waits for a writer forever. Reads are bounded by
 * {@link ReadBuffer#MAX_SIZE}.
 */
public final class KernelFile implements Closeable {
    private final String name;
    private final RandomAccessFile file;
    private final String openProblem;

    private KernelFile(String name, RandomAccessFile file, String openProblem) {
        this.name = name;
        this.file = file;
        this.openProblem = openProblem;
    }

    /**
     * Opens {@code file} for reading.
     *
     * @param file the path to open (already mapped under the filesystem root)
     * @param name how messages name it (the path in the root's namespace)
     */
    public static KernelFile open(Path file, String name) {
        try {
            String refused = notRegular(file);
            if (refused != null) {
                return new KernelFile(name, null, refused);
            }
            return new KernelFile(name, new RandomAccessFile(file.toFile(), "r"), null);
        } catch (NoSuchFileException e) {
            return new KernelFile(name, null, null);
        } catch (IOException | RuntimeException e) {
            return new KernelFile(name, null, "cannot be opened (" + e + ")");
        }
    }

    /**
     * Why {@code file} must not be opened, or null when it is a regular file. kernfs, procfs and
     * sysfs files are regular files; following a symlink is fine (procfs uses them), landing on
     * something else is not.
     */
    static String notRegular(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        if (a.isRegularFile()) {
            return null;
        }
        String kind = a.isDirectory() ? "a directory" : a.isOther() ? "not a regular file (a FIFO, socket or device)" : "not a regular file";
        return "is " + kind + "; not read, so that reading it cannot block";
    }

    /** Whether a descriptor is open. */
    public boolean present() {
        return file != null;
    }

    /** The path in the root's namespace, for messages. */
    public String name() {
        return name;
    }

    /** Why the file could not be opened other than not existing; null otherwise. */
    public String openProblem() {
        return openProblem;
    }

    RandomAccessFile file() {
        return file;
    }

    /**
     * One positioned read into {@code dst}, for a binary file read in ranges ({@code pagemap});
     * returns what {@link FileChannel#read(ByteBuffer, long)} returns.
     *
     * @throws IOException naming the file when it is absent or was refused
     */
    public int read(ByteBuffer dst, long position) throws IOException {
        if (file == null) {
            throw openProblem == null ? new NoSuchFileException(name) : new IOException(name + " " + openProblem);
        }
        return file.getChannel().read(dst, position);
    }

    /**
     * Reads a small file whole, at most {@code maxBytes}, refusing what is not a regular file.
     * For the few texts read once per resolution ({@code /proc/self/cgroup}, {@code mountinfo},
     * {@code meminfo}): a {@code /dev/zero} or a FIFO there must not exhaust the heap or block.
     *
     * @throws IOException naming the file when it is missing, unreadable, not regular or too large
     */
    public static byte[] readSmall(Path file, String name, int maxBytes) throws IOException {
        String refused = notRegular(file);
        if (refused != null) {
            throw new IOException(name + " " + refused);
        }
        try (KernelFile f = new KernelFile(name, new RandomAccessFile(file.toFile(), "r"), null)) {
            ReadBuffer buffer = new ReadBuffer(Math.min(maxBytes, 8192), maxBytes);
            int n = buffer.read(f);
            if (n == ReadBuffer.TOO_LARGE) {
                throw new IOException(name + " is larger than " + maxBytes + " bytes; not read");
            }
            if (n < 0) {
                throw buffer.lastError != null ? buffer.lastError : new IOException(name + " could not be read");
            }
            return Arrays.copyOf(buffer.data, n);
        }
    }

    @Override
    public void close() {
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // Closing a read-only descriptor cannot lose data; nothing to report.
            }
        }
    }
}
