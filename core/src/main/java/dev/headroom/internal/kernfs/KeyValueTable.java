package dev.headroom.internal.kernfs;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Every key of a key/value file (cgroup's {@code memory.stat}), interned on first sight. The kernel
 * writes the keys in the same order every time, so a line is first compared with the key seen at
 * the same position; only a new or moved key costs a search, and only a new key allocates. Values
 * of keys missing from the latest read are marked absent rather than left stale. Not thread-safe.
 */
public final class KeyValueTable {
    private byte[][] keys = new byte[64][];
    private String[] names = new String[64];
    private long[] values = new long[64];
    private boolean[] present = new boolean[64];
    private int size;
    /** Grows each time a key is added, so callers can refresh indexes they cached. */
    private int version;

    public int size() {
        return size;
    }

    public int version() {
        return version;
    }

    public String name(int index) {
        return names[index];
    }

    public boolean present(int index) {
        return index >= 0 && present[index];
    }

    /** The value at {@code index}, or -1 when that key was absent from the latest read. */
    public long value(int index) {
        return present(index) ? values[index] : -1;
    }

    public int indexOf(String name) {
        for (int i = 0; i < size; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Starts a new read: every key is absent until {@link #put} sees it again. */
    public void beginRead() {
        Arrays.fill(present, 0, size, false);
    }

    /** Records {@code value} for the key of the scanner's current line. */
    public void put(KeyValueScanner line, long value) {
        byte[] d = line.data();
        int from = line.lineStart();
        int to = line.keyEnd();
        int position = line.lineIndex();
        int index = -1;
        if (position < size && ByteParsing.equals(d, from, to, keys[position])) {
            index = position;
        } else {
            for (int i = 0; i < size; i++) {
                if (ByteParsing.equals(d, from, to, keys[i])) {
                    index = i;
                    break;
                }
            }
        }
        if (index < 0) {
            index = add(d, from, to);
        }
        values[index] = value;
        present[index] = true;
    }

    private int add(byte[] d, int from, int to) {
        if (size == keys.length) {
            int grown = size * 2;
            keys = Arrays.copyOf(keys, grown);
            names = Arrays.copyOf(names, grown);
            values = Arrays.copyOf(values, grown);
            present = Arrays.copyOf(present, grown);
        }
        keys[size] = Arrays.copyOfRange(d, from, to);
        names[size] = new String(d, from, to - from, StandardCharsets.UTF_8);
        version++;
        return size++;
    }

    /** Forgets every key (a new location may be another version with other keys). */
    public void reset() {
        size = 0;
        version++;
    }
}
