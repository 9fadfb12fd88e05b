package dev.headroom.internal.cgroup;

import dev.headroom.internal.kernfs.ByteParsing;
import dev.headroom.internal.kernfs.KernelFile;
import dev.headroom.internal.kernfs.KeyValueScanner;
import dev.headroom.internal.kernfs.ReadBuffer;

import java.nio.file.Path;

/**
 * What every cgroup reader shares: the filesystem root the files are opened under, one buffer they
 * are all read into, one line scanner, and the {@link Problems} of the current sample. Each read
 * records what went wrong (missing, unreadable, empty, unparseable) naming the file, and an I/O
 * error on an open descriptor is remembered: it means the cgroup was removed or the process moved,
 * and the monitor re-resolves. Allocation-free. Not thread-safe (the monitor's lock guards it).
 */
final class CgroupFiles {
    private static final long UNKNOWN = CgroupSample.UNKNOWN;

    private final Path root;
    final ReadBuffer buffer = new ReadBuffer(8192);
    final Problems problems = new Problems(16);
    private final KeyValueScanner lines = KeyValueScanner.spaceSeparated();
    private boolean ioFailed;

    CgroupFiles(Path root) {
        this.root = root;
    }

    /** The file under the root for a path in the root's namespace. */
    Path host(String nsPath) {
        return CgroupResolver.host(root, nsPath);
    }

    /** Opens {@code dir/name}; a missing file is an absent {@link KernelFile}, not an error yet. */
    KernelFile open(String dir, String name) {
        String nsPath = CgroupResolver.join(dir, name);
        return KernelFile.open(host(nsPath), nsPath);
    }

    /** Starts a sample: no read has failed yet. */
    void beginSample() {
        ioFailed = false;
    }

    /** True when a read of this sample failed on an open descriptor. */
    boolean ioFailed() {
        return ioFailed;
    }

    /** Reads a file into the buffer; its length, or a negative code after recording the problem. */
    int read(KernelFile f, boolean required) {
        if (f == null) {
            return ReadBuffer.MISSING;
        }
        if (!f.present()) {
            if (f.openProblem() != null) {
                problems.add(f.name(), f.openProblem());
            } else if (required) {
                problems.add(f.name(), "missing");
            }
            return ReadBuffer.MISSING;
        }
        int n = buffer.read(f);
        if (n == ReadBuffer.IO_ERROR) {
            ioFailed = true;
            problems.add(f.name(), "read failed (the cgroup was removed or the process moved)");
        } else if (n == ReadBuffer.TOO_LARGE) {
            problems.add(f.name(), "larger than 1 MiB; not parsed");
        }
        return n;
    }

    /**
     * The lines of a key/value file; nothing to walk when it could not be read (the problem is
     * recorded, and so is a required file that is empty).
     */
    KeyValueScanner lines(KernelFile f, boolean required) {
        int n = read(f, required);
        if (n == 0 && required) {
            problems.add(f.name(), "empty");
        }
        return lines.reset(buffer.data, n);
    }

    /**
     * Moves {@code l} over {@code f}'s lines to the next whose value is a number, recording each
     * line passed that is not; false at the end.
     */
    boolean nextNumber(KernelFile f, KeyValueScanner l) {
        while (l.next()) {
            if (l.value() != ByteParsing.BAD) {
                return true;
            }
            unparseable(f, l);
        }
        return false;
    }

    /** Records the scanner's current line of {@code f} as unparseable. */
    void unparseable(KernelFile f, KeyValueScanner l) {
        problems.add(f.name(), "unparseable line", l.data(), l.lineStart(), l.lineEnd());
    }

    /** A byte count, or {@link CgroupSample#UNKNOWN} after recording why. */
    long value(KernelFile f, boolean required) {
        long v = raw(f, required);
        if (v == ByteParsing.MAX) {
            problems.add(f.name(), "\"max\" where a number was expected");
            return UNKNOWN;
        }
        return v;
    }

    /** A limit: {@link CgroupSample#UNLIMITED} for every "no limit" ({@link EffectiveLimit#classify}). */
    long limit(KernelFile f, boolean required, long memTotal) {
        long v = raw(f, required);
        return v == UNKNOWN ? UNKNOWN : EffectiveLimit.classify(v, memTotal);
    }

    /** The file's single value, {@link ByteParsing#MAX}, or {@link CgroupSample#UNKNOWN}. */
    private long raw(KernelFile f, boolean required) {
        int n = read(f, required);
        if (n < 0) {
            return UNKNOWN;
        }
        long v = ByteParsing.singleValue(buffer.data, 0, n);
        if (v == ByteParsing.BAD) {
            if (isBlank(buffer.data, n)) {
                problems.add(f.name(), "empty");
            } else {
                problems.add(f.name(), "unparseable value", buffer.data, 0, n);
            }
            return UNKNOWN;
        }
        return v;
    }

    private static boolean isBlank(byte[] d, int n) {
        for (int i = 0; i < n; i++) {
            if (!ByteParsing.isSpace(d[i])) {
                return false;
            }
        }
        return true;
    }

    static void close(KernelFile... files) {
        for (KernelFile f : files) {
            if (f != null) {
                f.close();
            }
        }
    }
}
