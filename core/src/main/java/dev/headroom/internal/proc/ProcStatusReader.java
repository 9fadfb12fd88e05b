package dev.headroom.internal.proc;

import java.nio.file.Path;

/**
 * {@code /proc/self/status}, read every sample: cheap (the kernel sums a few per-mm counters) and,
 * after the first read, allocation-free. Sizes are in bytes; -1 when the kernel does not print the
 * key ({@code RssAnon}, {@code RssFile} and {@code RssShmem} need Linux 4.5+) or the file cannot be
 * read ({@link #error()} says why). Not thread-safe.
 */
public final class ProcStatusReader extends KeyedProcFile {

    private static final int VM_RSS = 0;
    private static final int RSS_ANON = 1;
    private static final int RSS_FILE = 2;
    private static final int RSS_SHMEM = 3;
    private static final int VM_SWAP = 4;

    /** @param root where {@code proc/self/status} is found: {@code /} normally, a fixture tree in tests */
    public ProcStatusReader(Path root) {
        super(root.resolve("proc/self/status"), "VmRSS", "RssAnon", "RssFile", "RssShmem", "VmSwap");
    }

    /** {@code VmRSS}: resident set. */
    public long rssBytes() {
        return value(VM_RSS);
    }

    /** {@code RssAnon}: resident anonymous memory (heap, stacks, malloc, ...). */
    public long rssAnonBytes() {
        return value(RSS_ANON);
    }

    /** {@code RssFile}: resident file mappings (the JDK's libraries and modules image, mapped buffers). */
    public long rssFileBytes() {
        return value(RSS_FILE);
    }

    /** {@code RssShmem}: resident shared memory (SysV/POSIX shm, tmpfs mappings, ZGC's heap). */
    public long rssShmemBytes() {
        return value(RSS_SHMEM);
    }

    /** {@code VmSwap}: swapped-out anonymous memory. */
    public long swapBytes() {
        return value(VM_SWAP);
    }
}
