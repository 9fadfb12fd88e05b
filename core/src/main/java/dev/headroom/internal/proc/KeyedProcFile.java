package dev.headroom.internal.proc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A {@code Key:   value kB} file under /proc, read again and again without allocating: the file
 * stays open, each refresh reads it from offset 0 (pread; procfs regenerates the text on a read at
 * offset 0) into one reused direct buffer, and the wanted keys are parsed straight from its bytes.
 * Only a growing buffer or a failure allocates. Not thread-safe.
 */
final class KeyedProcFile implements AutoCloseable {

    private static final int INITIAL_BUFFER = 4096;
    private static final int MAX_BUFFER = 1 << 20;

    private final Path path;
    private final byte[][] keys;
    private final long[] values;
    private ByteBuffer buffer = ByteBuffer.allocateDirect(INITIAL_BUFFER);
    private FileChannel channel;
    private String error;
    private boolean missing;

    /** @param keys the keys to pick, each including its colon ({@code "VmRSS:"}) */
    KeyedProcFile(Path path, String... keys) {
        this.path = path;
        this.keys = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            this.keys[i] = keys[i].getBytes(StandardCharsets.US_ASCII);
        }
        this.values = new long[keys.length];
        Arrays.fill(values, -1);
    }

    /** Reads the file again. False when it could not be read; then every value is -1 and {@link #error()} says why. */
    boolean refresh() {
        Arrays.fill(values, -1);
        try {
            if (channel == null) {
                channel = FileChannel.open(path, StandardOpenOption.READ);
            }
            int length = readWhole();
            parse(length);
            error = null;
            missing = false;
            return true;
        } catch (IOException | RuntimeException e) {
            close();
            missing = e instanceof java.nio.file.NoSuchFileException;
            String message = path + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null || e.getMessage().equals(path.toString()) ? "" : " " + e.getMessage());
            if (!message.equals(error)) {
                error = message; // keep the same String while the failure repeats
            }
            return false;
        }
    }

    /** Value of key {@code index} in bytes ({@code kB} values are multiplied by 1024); -1 when absent. */
    long value(int index) {
        return values[index];
    }

    /** Why the last refresh failed; null when it worked. */
    String error() {
        return error;
    }

    /** True when the last refresh failed because the file does not exist (an older kernel, another OS). */
    boolean missing() {
        return missing;
    }

    Path path() {
        return path;
    }

    private int readWhole() throws IOException {
        while (true) {
            buffer.clear();
            long position = 0;
            int n;
            while ((n = channel.read(buffer, position)) > 0) {
                position += n;
                if (!buffer.hasRemaining()) {
                    break;
                }
            }
            if (buffer.hasRemaining()) {
                return buffer.position();
            }
            if (buffer.capacity() >= MAX_BUFFER) {
                throw new IOException("longer than " + MAX_BUFFER + " bytes");
            }
            buffer = ByteBuffer.allocateDirect(buffer.capacity() * 2);
        }
    }

    private void parse(int length) {
        int line = 0;
        while (line < length) {
            int key = matchKey(line, length);
            int end = line;
            while (end < length && buffer.get(end) != '\n') {
                end++;
            }
            if (key >= 0) {
                values[key] = number(line + keys[key].length, end);
            }
            line = end + 1;
        }
    }

    private int matchKey(int at, int length) {
        outer:
        for (int k = 0; k < keys.length; k++) {
            byte[] key = keys[k];
            if (at + key.length > length) {
                continue;
            }
            for (int i = 0; i < key.length; i++) {
                if (buffer.get(at + i) != key[i]) {
                    continue outer;
                }
            }
            return k;
        }
        return -1;
    }

    /** The number in [from, end), times 1024 when followed by {@code kB}; -1 when there is none. */
    private long number(int from, int end) {
        int i = from;
        while (i < end && (buffer.get(i) == ' ' || buffer.get(i) == '\t')) {
            i++;
        }
        long n = 0;
        int digits = 0;
        while (i < end && buffer.get(i) >= '0' && buffer.get(i) <= '9' && digits < 18) {
            n = n * 10 + (buffer.get(i) - '0');
            i++;
            digits++;
        }
        if (digits == 0) {
            return -1;
        }
        while (i < end && buffer.get(i) == ' ') {
            i++;
        }
        boolean kb = i + 1 < end && (buffer.get(i) == 'k' || buffer.get(i) == 'K') && buffer.get(i + 1) == 'B';
        return kb ? n * 1024 : n;
    }

    @Override
    public void close() {
        FileChannel c = channel;
        channel = null;
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // nothing to do: the next refresh opens it again
            }
        }
    }
}
