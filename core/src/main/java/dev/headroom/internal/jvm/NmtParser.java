package dev.headroom.internal.jvm;

import dev.headroom.JvmSnapshot.NmtCategory;
import dev.headroom.internal.jvm.NmtReport.Status;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Reads the text of {@code VM.native_memory summary} (or {@code detail}) into figures.
 *
 * <p>Formats differ between JDK releases, and this parser only relies on what they share:
 * <ul>
 *   <li>a {@code Total: reserved=N, committed=N} line;</li>
 *   <li>one line per category, {@code -  <name> (reserved=N, committed=N[, readonly=N])};</li>
 *   <li>under a category, parenthesised detail lines: {@code (mmap: reserved=N, committed=N[, at peak|peak=N])},
 *       and in the Thread category {@code (thread #N)} (JDK 17) / {@code (threads #N)} (JDK 21+) and
 *       {@code (stack: reserved=N, committed=N[, peak=N])}.</li>
 * </ul>
 * Malloc lines ({@code (malloc=N #n)}, JDK 25 adds {@code tag=Name}) are not needed: malloc and arena
 * memory is a category's committed minus its mmap committed. Numbers carry the report's scale as a
 * suffix ({@code KB}, {@code MB}, {@code GB}) or none at all for {@code scale=1}; each value is scaled
 * by its own suffix. A detail report is read up to {@code Virtual memory map:} / {@code Details:}, where
 * its per-call-site part starts; the summary above it has the same format as a summary report.
 */
public final class NmtParser {

    private static final String NOT_ENABLED = "Native memory tracking is not enabled";
    // JDK 17 can shut NMT down at run time (jcmd VM.native_memory shutdown); later JDKs removed that.
    private static final String SHUT_DOWN = "Native memory tracking has been shut down";
    private static final String TURNED_OFF = "Native memory tracking has been turned off";

    private NmtParser() {
    }

    /** What the command's "not enabled" answer means: the JVM runs without {@code -XX:NativeMemoryTracking}. */
    public static NmtReport notEnabled() {
        return NmtReport.without(Status.NOT_ENABLED, "NMT: Native Memory Tracking is off; " + NmtReport.HOW_TO_ENABLE);
    }

    public static NmtReport parse(String text) {
        if (text == null || text.isBlank()) {
            return NmtReport.without(Status.FAILED, "NMT: the DiagnosticCommand returned no text");
        }
        if (text.contains(NOT_ENABLED)) {
            return notEnabled();
        }
        if (text.contains(SHUT_DOWN) || text.contains(TURNED_OFF)) {
            return NmtReport.without(Status.NOT_ENABLED, "NMT: Native Memory Tracking was shut down in this JVM");
        }
        Map<String, NmtCategory> categories = new LinkedHashMap<>();
        long totalReserved = -1;
        long totalCommitted = -1;
        long stackReserved = -1;
        long stackCommitted = -1;
        int threads = -1;
        String name = null;
        long reserved = 0;
        long committed = 0;
        long mmapCommitted = 0;
        int pos = 0;
        int length = text.length();
        try {
            while (pos < length) {
                int end = text.indexOf('\n', pos);
                if (end < 0) {
                    end = length;
                }
                int start = skipSpaces(text, pos, end);
                pos = end + 1;
                if (start >= end) {
                    continue;
                }
                if (text.startsWith("Virtual memory map:", start) || text.startsWith("Details:", start)
                        || text.startsWith("Memory file details", start)) {
                    break;
                }
                if (text.startsWith("Total:", start)) {
                    totalReserved = value(text, "reserved=", start, end);
                    totalCommitted = value(text, "committed=", start, end);
                } else if (text.charAt(start) == '-') {
                    int open = text.indexOf("(reserved=", start);
                    if (open < 0 || open > end) {
                        continue;
                    }
                    if (name != null) {
                        categories.put(name, new NmtCategory(name, reserved, committed, mmapCommitted));
                    }
                    name = text.substring(start + 1, open).trim();
                    reserved = value(text, "reserved=", open, end);
                    committed = value(text, "committed=", open, end);
                    mmapCommitted = 0;
                } else if (name != null && text.charAt(start) == '(') {
                    if (text.startsWith("(mmap:", start)) {
                        mmapCommitted = value(text, "committed=", start, end);
                    } else if (text.startsWith("(stack:", start)) {
                        stackReserved = value(text, "reserved=", start, end);
                        stackCommitted = value(text, "committed=", start, end);
                    } else if (text.startsWith("(thread #", start) || text.startsWith("(threads #", start)) {
                        threads = (int) Math.min(Integer.MAX_VALUE, number(text, text.indexOf('#', start) + 1, end));
                    }
                }
            }
        } catch (NumberFormatException e) {
            return NmtReport.without(Status.FAILED, "NMT: could not read a number in the report: " + e.getMessage());
        }
        if (name != null) {
            categories.put(name, new NmtCategory(name, reserved, committed, mmapCommitted));
        }
        if (totalCommitted < 0 || categories.isEmpty()) {
            return NmtReport.without(Status.FAILED, "NMT: report not understood; it starts with: "
                    + firstLine(text));
        }
        return new NmtReport(Status.ENABLED, null, categories, totalReserved, totalCommitted,
                stackReserved < 0 ? OptionalLong.empty() : OptionalLong.of(stackReserved),
                stackCommitted < 0 ? OptionalLong.empty() : OptionalLong.of(stackCommitted),
                threads < 0 ? OptionalInt.empty() : OptionalInt.of(threads));
    }

    private static int skipSpaces(String text, int from, int end) {
        int i = from;
        while (i < end && (text.charAt(i) == ' ' || text.charAt(i) == '\t' || text.charAt(i) == '\r')) {
            i++;
        }
        return i;
    }

    /** The scaled number after {@code key} within [from, end); NumberFormatException when absent. */
    private static long value(String text, String key, int from, int end) {
        int at = text.indexOf(key, from);
        if (at < 0 || at >= end) {
            throw new NumberFormatException("no " + key + " in \"" + text.substring(from, end).trim() + "\"");
        }
        return number(text, at + key.length(), end);
    }

    /** Digits at {@code from}, times the unit that follows them (KB, MB, GB, TB; none for bytes). */
    private static long number(String text, int from, int end) {
        int i = from;
        long n = 0;
        while (i < end && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            n = Math.addExact(Math.multiplyExact(n, 10), text.charAt(i) - '0');
            i++;
        }
        if (i == from) {
            throw new NumberFormatException("no digits at \"" + text.substring(from, Math.min(end, from + 20)) + "\"");
        }
        long unit = 1;
        if (i + 1 < end && text.charAt(i + 1) == 'B') {
            switch (text.charAt(i)) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                case 'T' -> unit = 1L << 40;
                default -> unit = 1;
            }
        }
        return Math.multiplyExact(n, unit);
    }

    private static String firstLine(String text) {
        String trimmed = text.strip();
        int nl = trimmed.indexOf('\n');
        String line = nl < 0 ? trimmed : trimmed.substring(0, nl);
        return line.length() > 120 ? line.substring(0, 120) + "..." : line;
    }
}
