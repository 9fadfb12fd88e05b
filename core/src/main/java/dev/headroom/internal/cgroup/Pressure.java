package dev.headroom.internal.cgroup;

import dev.headroom.internal.kernfs.ByteParsing;
import dev.headroom.internal.kernfs.KernelFile;
import dev.headroom.internal.kernfs.KeyValueScanner;

import static dev.headroom.internal.kernfs.ByteParsing.ascii;

/**
 * {@code memory.pressure} (PSI): {@code some avg10=0.00 avg60=0.00 avg300=0.00 total=0} and the
 * same for {@code full}. Kept per cgroup2 group whatever hierarchy the memory controller is on, so
 * a hybrid host's v1 reader reads it from the unified hierarchy. Lines of other kinds are
 * ignored; a {@code some} or {@code full} line lacking a field is unparseable.
 */
final class Pressure implements AutoCloseable {
    private static final byte[] SOME = ascii("some");
    private static final byte[] FULL = ascii("full");
    private static final byte[] AVG10 = ascii("avg10");
    private static final byte[] AVG60 = ascii("avg60");
    private static final byte[] AVG300 = ascii("avg300");
    private static final byte[] TOTAL = ascii("total");

    private final KernelFile file;

    /** @param dir the directory holding {@code memory.pressure}; null when there is none */
    Pressure(CgroupFiles files, String dir) {
        file = dir == null ? null : files.open(dir, "memory.pressure");
    }

    void read(CgroupFiles files, CgroupSample s) {
        KeyValueScanner l = files.lines(file, false);
        while (l.next()) {
            if (!parse(l, s)) {
                files.unparseable(file, l);
            }
        }
    }

    /** Parses the scanner's current line into {@code s}; false when it is a malformed some/full line. */
    static boolean parse(KeyValueScanner line, CgroupSample s) {
        boolean some = line.keyIs(SOME);
        if (!some && !line.keyIs(FULL)) {
            return true;
        }
        byte[] d = line.data();
        int end = line.lineEnd();
        double avg10 = Double.NaN;
        double avg60 = Double.NaN;
        double avg300 = Double.NaN;
        long total = ByteParsing.BAD;
        for (int f = line.valueStart(); f < end; ) {
            int fieldEnd = ByteParsing.indexOf(d, f, end, (byte) ' ');
            int eq = ByteParsing.indexOf(d, f, fieldEnd, (byte) '=');
            int valueEnd = fieldEnd;
            while (valueEnd > eq + 1 && ByteParsing.isSpace(d[valueEnd - 1])) {
                valueEnd--;
            }
            if (eq < fieldEnd) {
                if (ByteParsing.equals(d, f, eq, AVG10)) {
                    avg10 = ByteParsing.decimal(d, eq + 1, valueEnd);
                } else if (ByteParsing.equals(d, f, eq, AVG60)) {
                    avg60 = ByteParsing.decimal(d, eq + 1, valueEnd);
                } else if (ByteParsing.equals(d, f, eq, AVG300)) {
                    avg300 = ByteParsing.decimal(d, eq + 1, valueEnd);
                } else if (ByteParsing.equals(d, f, eq, TOTAL)) {
                    total = ByteParsing.digits(d, eq + 1, valueEnd);
                }
            }
            f = fieldEnd + 1;
        }
        if (Double.isNaN(avg10) || Double.isNaN(avg60) || Double.isNaN(avg300) || total == ByteParsing.BAD) {
            return false;
        }
        if (some) {
            s.psiSomeAvg10 = avg10;
            s.psiSomeAvg60 = avg60;
            s.psiSomeAvg300 = avg300;
            s.psiSomeTotal = total;
        } else {
            s.psiFullAvg10 = avg10;
            s.psiFullAvg60 = avg60;
            s.psiFullAvg300 = avg300;
            s.psiFullTotal = total;
        }
        return true;
    }

    @Override
    public void close() {
        CgroupFiles.close(file);
    }
}
