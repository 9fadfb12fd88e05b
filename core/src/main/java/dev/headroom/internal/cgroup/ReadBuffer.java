package dev.headroom.internal.cgroup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * One reused direct buffer (the kernel copies straight into it: no hidden temporary) and a heap
 * mirror the parsers scan. Grows only when a file does not fit, up to {@link #MAX_SIZE}.
 */
final class ReadBuffer {
    static final int MISSING = -1;
    static final int IO_ERROR = -2;
    static final int TOO_LARGE = -3;
    static final int MAX_SIZE = 1 << 20;

    private ByteBuffer direct;
    /** The bytes of the last successful read, valid up to the length {@link #read} returned. */
    byte[] data;
    /** The exception of the last {@link #IO_ERROR}, for the message. */
    IOException lastError;

    ReadBuffer(int initialSize) {
        direct = ByteBuffer.allocateDirect(initialSize);
        data = new byte[initialSize];
    }

    /** Reads the whole file from offset 0; returns its length or one of the negative codes. */
    int read(KernelFile file) {
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
                if (direct.capacity() >= MAX_SIZE) {
                    return TOO_LARGE;
                }
                int size = Math.min(MAX_SIZE, direct.capacity() * 2);
                direct = ByteBuffer.allocateDirect(size);
                data = new byte[size];
            }
        } catch (IOException e) {
            lastError = e;
            return IO_ERROR;
        }
    }
}
