package dev.headroom.internal.kernfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * One reused direct buffer (the kernel copies straight into it: no hidden temporary) and a heap
 * mirror the parsers scan. Grows only when a file does not fit, up to its maximum ({@link #MAX_SIZE} unless told).
 */
public final class ReadBuffer {
    public static final int MISSING = -1;
    public static final int IO_ERROR = -2;
    public static final int TOO_LARGE = -3;
    /** Largest file read: cgroup and proc files are a few KiB; 1 MiB bounds a hostile one. */
    public static final int MAX_SIZE = 1 << 20;

    private final int maxSize;

    private ByteBuffer direct;
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
        direct = ByteBuffer.allocateDirect(size);
        data = new byte[size];
    }

    /** Reads the whole file from offset 0; returns its length or one of the negative codes. */
    public int read(KernelFile file) {
        FileChannel channel = file.channel();
        if (channel == null) {
            return MISSING;
        }
        try {
            while (true) {
                direct.clear();
                int total = 0;
                while (direct.hasRemaining()) {
                    int n = channel.read(direct, total);
                    if (n <= 0) {
                        break;
                    }
                    total += n;
                }
                if (direct.hasRemaining()) {
                    direct.get(0, data, 0, total);
                    return total;
                }
                // Filled to the brim: the file may be longer. Grow and read again from 0.
                if (direct.capacity() >= maxSize) {
                    return TOO_LARGE;
                }
                int size = Math.min(maxSize, direct.capacity() * 2);
                direct = ByteBuffer.allocateDirect(size);
                data = new byte[size];
            }
        } catch (IOException e) {
            lastError = e;
            return IO_ERROR;
        }
    }

    /**
     * One {@code pread} from offset 0, at most the buffer's current size, without growing: for a
     * file the kernel produces whole in one read (a task's {@code stat}), where a second read only to
     * meet the end would double the cost. A file longer than the buffer comes back cut at its size,
     * which the caller's parser must refuse. Returns the length read or {@link #MISSING} /
     * {@link #IO_ERROR}.
     */
    public int readOnce(KernelFile file) {
        FileChannel channel = file.channel();
        if (channel == null) {
            return MISSING;
        }
        try {
            direct.clear();
            int n = Math.max(0, channel.read(direct, 0));
            direct.get(0, data, 0, n);
            return n;
        } catch (IOException e) {
            lastError = e;
            return IO_ERROR;
        }
    }
}
