package dev.headroom.internal.proc;

import dev.headroom.internal.kernfs.ByteParsing;
import dev.headroom.internal.kernfs.KernelFile;
import dev.headroom.internal.kernfs.KeyValueScanner;
import dev.headroom.internal.kernfs.ReadBuffer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A {@code Key:   value kB} file under /proc, read again and again without allocating: the file
 * stays open ({@link KernelFile}), each refresh reads it from offset 0 into one reused buffer, and
 * the wanted keys are picked straight from its bytes ({@link KeyValueScanner}). Only a growing
 * buffer or a failure allocates; after a failure the file is opened again on the next refresh.
 * The readers of one file extend it, naming their keys. Not thread-safe.
 */
abstract class KeyedProcFile implements AutoCloseable {

    private static final int INITIAL_BUFFER = 4096;

    private final Path path;
    private final String name;
    private final byte[][] keys;
    private final long[] values;
    private final ReadBuffer buffer = new ReadBuffer(INITIAL_BUFFER);
    private final KeyValueScanner lines = KeyValueScanner.colonSeparated();
    private KernelFile file;
    private String error;
    private boolean missing;

    /** @param keys the keys to pick, without their colon ({@code "VmRSS"}) */
    KeyedProcFile(Path path, String... keys) {
        this.path = path;
        this.name = path.toString();
        this.keys = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            this.keys[i] = ByteParsing.ascii(keys[i]);
        }
        this.values = new long[keys.length];
        Arrays.fill(values, -1);
    }

    /** Reads the file again. False when it could not be read; then every value is -1 and {@link #error()} says why. */
    public boolean refresh() {
        Arrays.fill(values, -1);
        if (file == null) {
            file = KernelFile.open(path, name);
        }
        int n = buffer.read(file);
        if (n < 0) {
            failed(n);
            return false;
        }
        KeyValueScanner l = lines.reset(buffer.data, n);
        while (l.next()) {
            for (int k = 0; k < keys.length; k++) {
                if (l.keyIs(keys[k])) {
                    values[k] = l.size();
                    break;
                }
            }
        }
        error = null;
        missing = false;
        return true;
    }

    private void failed(int code) {
        missing = code == ReadBuffer.MISSING && file.openProblem() == null;
        String problem;
        if (missing) {
            problem = "NoSuchFileException";
        } else if (code == ReadBuffer.MISSING) {
            problem = file.openProblem();
        } else if (code == ReadBuffer.TOO_LARGE) {
            problem = "longer than " + ReadBuffer.MAX_SIZE + " bytes; not read";
        } else {
            IOException e = buffer.lastError;
            problem = e.getClass().getSimpleName() + (e.getMessage() == null || e.getMessage().equals(name) ? "" : " " + e.getMessage());
        }
        close();
        String message = path + ": " + problem;
        if (!message.equals(error)) {
            error = message; // keep the same String while the failure repeats
        }
    }

    /** Value of key {@code index} in bytes ({@code kB} values are multiplied by 1024); -1 when absent. */
    long value(int index) {
        return values[index];
    }

    /** Why the last refresh failed; null when it worked. */
    public String error() {
        return error;
    }

    /** True when the last refresh failed because the file does not exist (an older kernel, another OS). */
    public boolean missing() {
        return missing;
    }

    @Override
    public void close() {
        KernelFile f = file;
        file = null;
        if (f != null) {
            f.close();
        }
    }
}
