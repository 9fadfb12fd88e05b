package dev.headroom.internal.kernfs;

import java.io.IOException;
import java.io.RandomAccessFile;

/**
 * One reused heap array the kernel's bytes are read into and the parsers scan. Grows only when a
 * file does not fit, up to its maximum ({@link #MAX_SIZE} unless told).
 */
public final class ReadBuffer {
    public static final int MISSING = -1;
    public static final int IO_ERROR = -2;
    public static final int TOO_LARGE = -3;
    /** Largest file read: cgroup and proc files are a few KiB; 1 MiB bounds a hostile one. */
    public static final int MAX_SIZE = 1 << 20;

    private final int maxSize;

    /**
     * Most bytes asked of one {@code read}: the JDK reads up to 8 KiB through a buffer on the stack,
     * more through one it mallocs and frees per call.
     */
    private static final int CHUNK = 8192;

    /** The bytes of the last successful read, valid up to the length {@link #read} returned. */
    public byte[] data;
    /** The exception of the last {@link #IO_ERROR}, for the message. */
    public IOException lastError;

    public ReadBuffer(int initialSize) {
        this(initialSize, MAX_SIZE);
    }

    /** A buffer that grows up to {@code maxSize} bytes. */
    public ReadBuffer(int initialSize, int maxSize) {
        this.maxSize = Math.max(1, maxSize);
        int size = Math.max(1, Math.min(initialSize, this.maxSize));
        data = new byte[size];
    }

    /** Reads the whole file from offset 0; returns its length or one of the negative codes. */
    public int read(KernelFile file) {
        RandomAccessFile f = file.file();
        if (f == null) {
            return MISSING;
        }
        try {
            while (true) {
                // kernfs and seq_file regenerate the content when a read starts at offset 0.
                f.seek(0);
                int total = 0;
                while (total < data.length) {
                    int n = f.read(data, total, Math.min(CHUNK, data.length - total));
                    if (n <= 0) {
                        break;
                    }
                    total += n;
                }
                if (total < data.length) {
                    return total;
                }
                // Filled to the brim: the file may be longer. Grow and read again from 0.
                if (data.length >= maxSize) {
                    return TOO_LARGE;
                }
                data = new byte[Math.min(maxSize, data.length * 2)];
            }
        } catch (IOException e) {
            lastError = e;
            return IO_ERROR;
        }
    }

    /**
     * One {@code read} from offset 0, at most the buffer's current size, without growing: for a
     * file the kernel produces whole in one read (a task's {@code stat}), where a second read only to
     * meet the end would double the cost. A file longer than the buffer comes back cut at its size,
     * which the caller's parser must refuse. Returns the length read or {@link #MISSING} /
     * {@link #IO_ERROR}.
     */
    public int readOnce(KernelFile file) {
        RandomAccessFile f = file.file();
        if (f == null) {
            return MISSING;
        }
        try {
            f.seek(0);
            return Math.max(0, f.read(data, 0, data.length));
        } catch (IOException e) {
            lastError = e;
            return IO_ERROR;
        }
    }
}
