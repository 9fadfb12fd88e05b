package dev.headroom.agent.it;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads an HPROF heap dump from its header to its last byte, record by record and, inside heap dump
 * segments, sub-record by sub-record, so a truncated or corrupt dump fails the test. Format: the
 * JDK's heapDumper.cpp and the HPROF binary format description shipped with the JDK (header
 * {@code JAVA PROFILE 1.0.2}, u4 id size, u8 time; records of u1 tag, u4 time, u4 length).
 */
final class Hprof {
    static final int UTF8 = 0x01;
    static final int HEAP_DUMP = 0x0C;
    static final int HEAP_DUMP_SEGMENT = 0x1C;
    static final int HEAP_DUMP_END = 0x2C;

    /** What the walk found. */
    record Summary(String format, int idSize, long records, long segments, boolean ended, long classes,
                   long instances, long objectArrays, long primitiveArrays, long byteArraysOfAtLeastOneMiB, long bytes) {
    }

    private Hprof() {
    }

    static Summary read(Path file) throws IOException {
        long size = Files.size(file);
        try (InputStream raw = Files.newInputStream(file);
             CountingInput counting = new CountingInput(new BufferedInputStream(raw, 1 << 16));
             DataInputStream in = new DataInputStream(counting)) {
            StringBuilder format = new StringBuilder();
            for (int c = in.readUnsignedByte(); c != 0; c = in.readUnsignedByte()) {
                format.append((char) c);
                if (format.length() > 32) {
                    throw new IOException("no HPROF header in " + file);
                }
            }
            if (!format.toString().equals("JAVA PROFILE 1.0.2") && !format.toString().equals("JAVA PROFILE 1.0.1")) {
                throw new IOException("not an HPROF file: header '" + format + "'");
            }
            int idSize = in.readInt();
            if (idSize != 4 && idSize != 8) {
                throw new IOException("identifier size " + idSize);
            }
            in.readLong(); // dump time
            Counts counts = new Counts();
            long records = 0;
            long segments = 0;
            boolean ended = false;
            while (true) {
                int tag;
                try {
                    tag = in.readUnsignedByte();
                } catch (EOFException end) {
                    break;
                }
                if (ended) {
                    throw new IOException("record 0x" + Integer.toHexString(tag) + " after HEAP_DUMP_END at byte " + counting.count);
                }
                in.readInt(); // time offset
                long length = Integer.toUnsignedLong(in.readInt());
                long bodyStart = counting.count;
                if (bodyStart + length > size) {
                    throw new IOException("record 0x" + Integer.toHexString(tag) + " at byte " + (bodyStart - 9) + " claims " + length
                            + " bytes but the file ends at " + size + ": truncated");
                }
                records++;
                if (tag == HEAP_DUMP || tag == HEAP_DUMP_SEGMENT) {
                    segments++;
                    walkHeapDump(in, counting, bodyStart + length, idSize, counts);
                } else {
                    in.skipNBytes(length);
                    if (tag == HEAP_DUMP_END) {
                        ended = true;
                    }
                }
                if (counting.count != bodyStart + length) {
                    throw new IOException("record 0x" + Integer.toHexString(tag) + " at byte " + (bodyStart - 9) + " did not end where its length said");
                }
            }
            if (counting.count != size) {
                throw new IOException("stopped at byte " + counting.count + " of " + size);
            }
            return new Summary(format.toString(), idSize, records, segments, ended || segments > 0 && format.toString().endsWith("1"),
                    counts.classes, counts.instances, counts.objectArrays, counts.primitiveArrays, counts.bigByteArrays, size);
        }
    }

    private static final class Counts {
        long classes;
        long instances;
        long objectArrays;
        long primitiveArrays;
        long bigByteArrays;
    }

    private static void walkHeapDump(DataInputStream in, CountingInput counting, long end, int id, Counts counts) throws IOException {
        while (counting.count < end) {
            int sub = in.readUnsignedByte();
            switch (sub) {
                case 0xFF, 0x05, 0x07 -> in.skipNBytes(id);                       // root unknown, sticky class, monitor used
                case 0x01 -> in.skipNBytes(2L * id);                              // JNI global
                case 0x02, 0x03, 0x08 -> in.skipNBytes(id + 8L);                  // JNI local, java frame, thread object
                case 0x04, 0x06 -> in.skipNBytes(id + 4L);                        // native stack, thread block
                case 0x20 -> {                                                    // class dump
                    in.skipNBytes(id + 4L + 6L * id + 4L);
                    int constants = in.readUnsignedShort();
                    for (int k = 0; k < constants; k++) {
                        in.skipNBytes(2);
                        in.skipNBytes(valueSize(in.readUnsignedByte(), id));
                    }
                    int statics = in.readUnsignedShort();
                    for (int k = 0; k < statics; k++) {
                        in.skipNBytes(id);
                        in.skipNBytes(valueSize(in.readUnsignedByte(), id));
                    }
                    int fields = in.readUnsignedShort();
                    in.skipNBytes(fields * (id + 1L));
                    counts.classes++;
                }
                case 0x21 -> {                                                    // instance dump
                    in.skipNBytes(id + 4L + id);
                    in.skipNBytes(Integer.toUnsignedLong(in.readInt()));
                    counts.instances++;
                }
                case 0x22 -> {                                                    // object array
                    in.skipNBytes(id + 4L);
                    long n = Integer.toUnsignedLong(in.readInt());
                    in.skipNBytes(id + n * id);
                    counts.objectArrays++;
                }
                case 0x23 -> {                                                    // primitive array
                    in.skipNBytes(id + 4L);
                    long n = Integer.toUnsignedLong(in.readInt());
                    int type = in.readUnsignedByte();
                    in.skipNBytes(n * valueSize(type, id));
                    counts.primitiveArrays++;
                    if (type == 8 && n >= 1 << 20) {
                        counts.bigByteArrays++;
                    }
                }
                default -> throw new IOException("unknown heap dump sub-record 0x" + Integer.toHexString(sub) + " at byte " + (counting.count - 1));
            }
            if (counting.count > end) {
                throw new IOException("heap dump sub-record 0x" + Integer.toHexString(sub) + " runs past its segment's end");
            }
        }
    }

    private static int valueSize(int type, int id) throws IOException {
        return switch (type) {
            case 2 -> id;             // object
            case 4, 8 -> 1;           // boolean, byte
            case 5, 9 -> 2;           // char, short
            case 6, 10 -> 4;          // float, int
            case 7, 11 -> 8;          // double, long
            default -> throw new IOException("unknown basic type " + type);
        };
    }

    /** Counts bytes read or skipped, so record boundaries can be checked. */
    private static final class CountingInput extends InputStream {
        private final InputStream in;
        long count;

        CountingInput(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = in.skip(n);
            count += skipped;
            return skipped;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
