package dev.headroom.internal.proc;

import java.nio.file.Path;

/**
 * {@code /proc/self/smaps_rollup} (Linux 4.14+): proportional set sizes. Costly next to
 * {@code /proc/self/status} (the kernel walks every mapping and its page tables, under the mmap lock),
 * so it is read on a slower schedule. Sizes are in bytes; -1 when the kernel does not print the key
 * ({@code Pss_Anon}, {@code Pss_File}, {@code Pss_Shmem} need Linux 5.8+) or the file cannot be read.
 * Not thread-safe.
 */
public final class SmapsRollupReader implements AutoCloseable {

    private static final int RSS = 0;
    private static final int PSS = 1;
    private static final int PSS_ANON = 2;
    private static final int PSS_FILE = 3;
    private static final int PSS_SHMEM = 4;

    private final KeyedProcFile file;

    /** @param root where {@code proc/self/smaps_rollup} is found: {@code /} normally, a fixture tree in tests */
    public SmapsRollupReader(Path root) {
        this.file = new KeyedProcFile(root.resolve("proc/self/smaps_rollup"),
                "Rss:", "Pss:", "Pss_Anon:", "Pss_File:", "Pss_Shmem:");
    }

    /** Reads the file again; false when it could not be read. */
    public boolean refresh() {
        return file.refresh();
    }

    public long rssBytes() {
        return file.value(RSS);
    }

    public long pssBytes() {
        return file.value(PSS);
    }

    public long pssAnonBytes() {
        return file.value(PSS_ANON);
    }

    public long pssFileBytes() {
        return file.value(PSS_FILE);
    }

    public long pssShmemBytes() {
        return file.value(PSS_SHMEM);
    }

    /** True when the kernel has no smaps_rollup (before Linux 4.14): not available rather than failing. */
    public boolean missing() {
        return file.missing();
    }

    /** Why the last refresh failed; null when it worked. */
    public String error() {
        return file.error();
    }

    @Override
    public void close() {
        file.close();
    }
}
