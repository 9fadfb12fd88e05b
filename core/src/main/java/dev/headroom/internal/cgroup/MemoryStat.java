package dev.headroom.internal.cgroup;

import dev.headroom.internal.kernfs.ByteParsing;
import dev.headroom.internal.kernfs.KernelFile;
import dev.headroom.internal.kernfs.KeyValueScanner;
import dev.headroom.internal.kernfs.KeyValueTable;

/**
 * {@code memory.stat}: every key into the monitor's {@link KeyValueTable}, and the readings a
 * version names by other keys found by index. A reading lists its candidate keys, the first one
 * present wins (v1's {@code total_rss} counts the children as the usage does; a kernel without
 * it has {@code rss}); the indexes are looked up again only when the table gains a key.
 */
final class MemoryStat implements AutoCloseable {
    /**
     * The readings every version lists first, in this order; {@link #read} copies them into the
     * sample. A version may list more after them.
     */
    static final int ANON = 0;
    static final int FILE = 1;
    static final int KERNEL = 2;
    static final int SHMEM = 3;
    static final int SOCK = 4;
    static final int FILE_MAPPED = 5;
    static final int ACTIVE_FILE = 6;
    static final int INACTIVE_FILE = 7;
    static final int SLAB_RECLAIMABLE = 8;

    private final KernelFile file;
    private final KeyValueTable table;
    private final String[][] readings;
    private final int[] index;
    private int indexVersion = -1;

    /**
     * @param readings for each reading, its candidate keys, first found wins; none when the
     *                 version has no such key
     */
    MemoryStat(CgroupFiles files, String dir, KeyValueTable table, String[][] readings) {
        this.file = files.open(dir, "memory.stat");
        this.table = table;
        this.readings = readings;
        this.index = new int[readings.length];
    }

    /** Reads the file into the table and {@code s}'s typed fields; problems go to {@code files}. */
    void read(CgroupFiles files, CgroupSample s) {
        table.beginRead();
        KeyValueScanner l = files.lines(file, true);
        while (l.next()) {
            long v = l.value();
            if (l.keyEmpty() || v == ByteParsing.BAD) {
                files.unparseable(file, l);
            } else {
                table.put(l, v);
            }
        }
        if (indexVersion != table.version()) {
            for (int r = 0; r < readings.length; r++) {
                index[r] = indexOf(readings[r]);
            }
            indexVersion = table.version();
        }
        s.anon = get(ANON);
        s.file = get(FILE);
        s.kernel = get(KERNEL);
        s.shmem = get(SHMEM);
        s.sock = get(SOCK);
        s.fileMapped = get(FILE_MAPPED);
        s.activeFile = get(ACTIVE_FILE);
        s.inactiveFile = get(INACTIVE_FILE);
        s.slabReclaimable = get(SLAB_RECLAIMABLE);
    }

    /** {@code usage - inactive_file}, clamped at 0; a missing inactive_file subtracts nothing. */
    static long workingSet(long usage, long inactiveFile) {
        return usage >= 0 ? Math.max(0, usage - Math.max(0, inactiveFile)) : CgroupSample.UNKNOWN;
    }

    /** Reading {@code r} of the latest read; {@link CgroupSample#UNKNOWN} when absent. */
    long get(int r) {
        return table.value(index[r]);
    }

    boolean has(int r) {
        return table.present(index[r]);
    }

    private int indexOf(String[] keys) {
        for (String key : keys) {
            int i = table.indexOf(key);
            if (i >= 0) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void close() {
        file.close();
    }
}
