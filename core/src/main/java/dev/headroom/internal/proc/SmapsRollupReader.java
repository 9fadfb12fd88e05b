package dev.headroom.internal.proc;

import java.nio.file.Path;

/**
 * {@code /proc/self/smaps_rollup} (Linux 4.14+): proportional set sizes. Costly next to
 * {@code /proc/self/status} (the kernel walks every mapping and its page tables, under the mmap lock),
 * so it is read on a slower schedule. Sizes are in bytes; -1 when the kernel does not print the key
 * ({@code Pss_Anon}, {@code Pss_File}, {@code Pss_Shmem} need Linux 5.8+) or the file cannot be read;
 * {@link #missing()} tells a kernel without the file (before Linux 4.14) from a failing read.
 * Not thread-safe.
 */
public final class SmapsRollupReader extends KeyedProcFile {

    private static final int RSS = 0;
    private static final int PSS = 1;
    private static final int PSS_ANON = 2;
    private static final int PSS_FILE = 3;
    private static final int PSS_SHMEM = 4;

    /** @param root where {@code proc/self/smaps_rollup} is found: {@code /} normally, a fixture tree in tests */
    public SmapsRollupReader(Path root) {
        super(root.resolve("proc/self/smaps_rollup"), "Rss", "Pss", "Pss_Anon", "Pss_File", "Pss_Shmem");
    }

    public long rssBytes() {
        return value(RSS);
    }

    public long pssBytes() {
        return value(PSS);
    }

    public long pssAnonBytes() {
        return value(PSS_ANON);
    }

    public long pssFileBytes() {
        return value(PSS_FILE);
    }

    public long pssShmemBytes() {
        return value(PSS_SHMEM);
    }
}
