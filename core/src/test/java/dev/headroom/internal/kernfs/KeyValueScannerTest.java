package dev.headroom.internal.kernfs;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyValueScannerTest {

    @Test
    void spaceSeparatedLinesSplitAtTheFirstSpaceAndSkipEmptyLines() {
        byte[] d = b("anon 4096\n\nfile 12 \nbroken\n two\nkey  7\nhuge 99999999999999999999\nlast 5");
        KeyValueScanner l = KeyValueScanner.spaceSeparated().reset(d, d.length);
        List<String> seen = new ArrayList<>();
        while (l.next()) {
            seen.add(l.lineIndex() + ":" + new String(d, l.lineStart(), l.keyEnd() - l.lineStart(), StandardCharsets.US_ASCII)
                    + "=" + (l.value() == ByteParsing.BAD ? "BAD" : Long.toString(l.value())) + (l.keyEmpty() ? " (no key)" : ""));
        }
        assertEquals(List.of("0:anon=4096", "1:file=12", "2:broken=BAD", "3:=BAD (no key)", "4:key=BAD",
                "5:huge=BAD", "6:last=5"), seen);
    }

    @Test
    void keysCompareExactly() {
        byte[] d = b("oom_kill 3\noom 1\n");
        KeyValueScanner l = KeyValueScanner.spaceSeparated().reset(d, d.length);
        assertTrue(l.next());
        assertTrue(l.keyIs(b("oom_kill")));
        assertFalse(l.keyIs(b("oom")));
        assertTrue(l.next());
        assertTrue(l.keyIs(b("oom")));
        assertFalse(l.next());
    }

    @Test
    void colonSeparatedSizesCarryTheirKibUnit() {
        byte[] d = b("Name:\tjava\nVmRSS:\t   91136 kB\nThreads:\t42\nRssAnon: x kB\nBig: 9999999999999999 kB\n");
        KeyValueScanner l = KeyValueScanner.colonSeparated().reset(d, d.length);
        List<String> seen = new ArrayList<>();
        while (l.next()) {
            seen.add(new String(d, l.lineStart(), l.keyEnd() - l.lineStart(), StandardCharsets.US_ASCII) + "=" + l.size());
        }
        assertEquals(List.of("Name=-1", "VmRSS=" + 91136 * 1024, "Threads=42", "RssAnon=-1", "Big=-1"), seen);
    }

    @Test
    void aFailedReadIsNothingToWalk() {
        KeyValueScanner l = KeyValueScanner.spaceSeparated().reset(b("anon 1\n"), ReadBuffer.IO_ERROR);
        assertFalse(l.next());
    }

    @Test
    void theTableInternsKeysAndMarksMissingOnesAbsent() {
        KeyValueTable table = new KeyValueTable();
        KeyValueScanner l = KeyValueScanner.spaceSeparated();
        fill(table, l, "anon 1\nfile 2\n");
        assertEquals(2, table.size());
        int version = table.version();
        fill(table, l, "file 20\nanon 10\n");
        assertEquals(version, table.version(), "moved keys are found, not added");
        assertEquals(10, table.value(table.indexOf("anon")));
        assertEquals(20, table.value(table.indexOf("file")));
        fill(table, l, "anon 100\nshmem 3\n");
        assertEquals(3, table.size());
        assertEquals(-1, table.value(table.indexOf("file")), "absent from the latest read");
        assertFalse(table.present(table.indexOf("file")));
        assertEquals("shmem", table.name(2));
        table.reset();
        assertEquals(0, table.size());
        assertEquals(-1, table.indexOf("anon"));
    }

    private static void fill(KeyValueTable table, KeyValueScanner l, String text) {
        byte[] d = b(text);
        table.beginRead();
        l.reset(d, d.length);
        while (l.next()) {
            table.put(l, l.value());
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
