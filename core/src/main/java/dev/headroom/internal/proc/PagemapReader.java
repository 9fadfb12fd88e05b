package dev.headroom.internal.proc;

import dev.headroom.internal.kernfs.KernelFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Counts the resident pages of an address range of this process from {@code /proc/self/pagemap}: one
 * 64-bit entry per page, bit 63 set when the page is in memory (the kernel's pagemap interface;
 * an unprivileged process sees the flags, only the frame numbers are hidden). Used to measure the
 * resident Java heap, which committed heap only bounds from above. Costs 8 bytes read per page of the
 * range: 1 MiB per 512 MiB of heap, so it runs on the slow schedule. The page size comes from
 * {@code /proc/self/auxv} ({@code AT_PAGESZ}). Not thread-safe.
 */
public final class PagemapReader implements AutoCloseable {

    private static final long AT_PAGESZ = 6;
    private static final long PRESENT = 1L << 63;
    private static final int CHUNK_ENTRIES = 8192;

    private final Path pagemap;
    private final Path auxv;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK_ENTRIES * 8).order(ByteOrder.nativeOrder());
    private KernelFile channel;
    private long pageSize;
    private String error;

    /** @param root where {@code proc/self/pagemap} and {@code proc/self/auxv} are found */
    public PagemapReader(Path root) {
        this.pagemap = root.resolve("proc/self/pagemap");
        this.auxv = root.resolve("proc/self/auxv");
    }

    /** Resident bytes in [start, end); -1 when pagemap cannot be read ({@link #error()} says why). */
    public long residentBytes(long start, long end) {
        try {
            if (channel == null) {
                pageSize = pageSize();
                // Through KernelFile: a FIFO or device planted under a root is refused, never opened.
                channel = KernelFile.open(pagemap, pagemap.toString());
                if (!channel.present()) {
                    channel.read(buffer, 0); // throws, naming why
                }
            }
            long first = Long.divideUnsigned(start, pageSize);
            long last = Long.divideUnsigned(end + pageSize - 1, pageSize);
            long present = 0;
            for (long page = first; page < last; ) {
                int entries = (int) Math.min(CHUNK_ENTRIES, last - page);
                buffer.clear().limit(entries * 8);
                long position = page * 8;
                while (buffer.hasRemaining()) {
                    int n = channel.read(buffer, position + buffer.position());
                    if (n <= 0) {
                        throw new IOException("short read at page " + (page + buffer.position() / 8));
                    }
                }
                for (int i = 0; i < entries; i++) {
                    if ((buffer.getLong(i * 8) & PRESENT) != 0) {
                        present++;
                    }
                }
                page += entries;
            }
            error = null;
            return present * pageSize;
        } catch (IOException | RuntimeException e) {
            close();
            error = pagemap + ": " + e;
            return -1;
        }
    }

    /** Why the last read failed; null when it worked. */
    public String error() {
        return error;
    }

    private long pageSize() throws IOException {
        // auxv is a few hundred bytes (AT_* pairs of 16); 64 KiB bounds a hostile one.
        ByteBuffer b = ByteBuffer.wrap(KernelFile.readSmall(auxv, auxv.toString(), 64 << 10)).order(ByteOrder.nativeOrder());
        while (b.remaining() >= 16) {
            long type = b.getLong();
            long value = b.getLong();
            if (type == AT_PAGESZ && value > 0) {
                return value;
            }
            if (type == 0) {
                break;
            }
        }
        throw new IOException(auxv + " has no AT_PAGESZ");
    }

    @Override
    public void close() {
        KernelFile c = channel;
        channel = null;
        if (c != null) {
            c.close();
        }
    }
}
