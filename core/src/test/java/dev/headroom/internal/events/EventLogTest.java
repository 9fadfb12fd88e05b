package dev.headroom.internal.events;

import dev.headroom.HeadroomEvent;
import dev.headroom.internal.clock.FakeTicker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventLogTest {
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final Diagnostics diagnostics = new Diagnostics(new PrintStream(errBytes, true, StandardCharsets.UTF_8), false);

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void eachEventIsOneJsonLineWithTimeAndEventAndAStderrLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("logs/headroom.jsonl");
        FakeTicker ticker = new FakeTicker();
        EventBus bus = new EventBus(ticker, diagnostics, new EventLog(file, diagnostics), new ListenerDispatcher(diagnostics, "t"));
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("level", "WARN");
        f.put("workingSetBytes", 900L);
        f.put("limitBytes", OptionalLong.empty());
        f.put("largest", List.of(Map.of("name", "heap")));
        bus.emit("pressure", f, "pressure WARN \"quoted\"\nnext");
        bus.emit("exit", Map.of("exitCode", 75), "exiting");

        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        assertEquals("{\"time\":" + ticker.currentTimeMillis() + ",\"event\":\"pressure\",\"level\":\"WARN\",\"workingSetBytes\":900,"
                + "\"limitBytes\":null,\"largest\":[{\"name\":\"heap\"}],\"message\":\"pressure WARN \\\"quoted\\\"\\nnext\"}", lines.get(0));
        assertTrue(lines.get(1).startsWith("{\"time\":") && lines.get(1).contains("\"event\":\"exit\",\"exitCode\":75"));
        assertTrue(err().startsWith("[headroom] pressure WARN"), err());
        assertTrue(err().contains("[headroom] exiting"), err());
        bus.close();
    }

    @Test
    void listenersGetTheFieldsAsPlainValuesWithUnknownAsNull() throws Exception {
        ListenerDispatcher listeners = new ListenerDispatcher(diagnostics, "t");
        java.util.concurrent.BlockingQueue<HeadroomEvent> seen = new java.util.concurrent.LinkedBlockingQueue<>();
        listeners.add(new dev.headroom.HeadroomListener() {
            @Override
            public void onEvent(HeadroomEvent event) {
                seen.add(event);
            }
        });
        EventBus bus = new EventBus(new FakeTicker(), diagnostics, null, listeners);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("limitBytes", OptionalLong.empty());
        f.put("warnAtBytes", OptionalLong.of(5));
        f.put("secondsToLimit", Double.NaN);
        bus.emit("pressure", f, "m");
        HeadroomEvent e = seen.poll(5, java.util.concurrent.TimeUnit.SECONDS);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("limitBytes", null);
        expected.put("warnAtBytes", 5L);
        expected.put("secondsToLimit", null);
        assertEquals(expected, e.fields());
        listeners.close();
    }

    @Test
    void appendsToAnExistingLog(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("e.jsonl");
        Files.writeString(file, "{\"old\":1}\n");
        EventLog log = new EventLog(file, diagnostics);
        log.append("{\"new\":2}");
        log.close();
        assertEquals(List.of("{\"old\":1}", "{\"new\":2}"), Files.readAllLines(file));
    }

    @Test
    void anUnwritablePathIsReportedOnceAndNothingElseBreaks(@TempDir Path dir) throws Exception {
        Path notADir = dir.resolve("file");
        Files.writeString(notADir, "x");
        EventLog log = new EventLog(notADir.resolve("events.jsonl"), diagnostics);
        ListenerDispatcher listeners = new ListenerDispatcher(diagnostics, "t");
        EventBus bus = new EventBus(new FakeTicker(), diagnostics, log, listeners);
        for (int i = 0; i < 5; i++) {
            bus.emit("pressure", Map.of(), "line " + i);
        }
        String err = err();
        assertEquals(1, err.split("cannot write event log", -1).length - 1, err);
        assertTrue(err.contains(notADir.resolve("events.jsonl").toString()), err);
        for (int i = 0; i < 5; i++) {
            assertTrue(err.contains("[headroom] line " + i), "stderr still gets every event: " + err);
        }
    }

    @Test
    void aLinkPlantedWhereTheLogGoesIsNotWrittenThrough(@TempDir Path dir) throws Exception {
        // Another user's link in a shared /tmp pointing at a file only this JVM's user may write.
        Path victim = dir.resolve("root-only.conf");
        Files.writeString(victim, "secret=1\n");
        Path log = dir.resolve("headroom.jsonl");
        Files.createSymbolicLink(log, victim);
        EventLog eventLog = new EventLog(log, diagnostics);
        eventLog.append("{\"event\":\"start\"}");
        eventLog.append("{\"event\":\"pressure\"}");
        eventLog.close();
        assertEquals("secret=1\n", Files.readString(victim));
        assertTrue(err().contains(log + " is a symbolic link"), err());
        assertEquals(1, err().split("cannot write event log", -1).length - 1, "reported once: " + err());
    }

    @Test
    void aNewLogAndTheDirectoriesItNeedsAreOwnerOnly(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("new/logs/headroom.jsonl");
        EventLog log = new EventLog(file, diagnostics);
        log.append("{}");
        log.close();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("new"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("new/logs"))));
    }

    @Test
    void anExistingLogAndDirectoryKeepTheirModes(@TempDir Path dir) throws Exception {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxr-x"));
        Path file = shared.resolve("e.jsonl");
        Files.writeString(file, "");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-r--"));
        EventLog log = new EventLog(file, diagnostics);
        log.append("{}");
        log.close();
        assertEquals("rw-rw-r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwxrwxr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(shared)));
    }

    @Test
    void aFifoAtThePathIsRefusedWithoutOpeningIt(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("events.fifo");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, p.waitFor());
        EventLog log = new EventLog(fifo, diagnostics);
        log.append("{}");
        log.close();
        assertTrue(err().contains(fifo + " is not a regular file"), err());
    }

    @Test
    void aMessageIsAlwaysExactlyOneStderrLine() {
        diagnostics.line("cannot write /tmp/x\n[headroom] pressure OK: all is well");
        diagnostics.once("k", "bad\rvalue\u001b[1A");
        assertEquals("[headroom] cannot write /tmp/x\\n[headroom] pressure OK: all is well" + System.lineSeparator()
                + "[headroom] bad\\rvalue\\u001b[1A" + System.lineSeparator(), err());
    }

    @Test
    void quietSuppressesEventLinesButNotFailures(@TempDir Path dir) {
        Diagnostics quiet = new Diagnostics(new PrintStream(errBytes, true, StandardCharsets.UTF_8), true);
        quiet.line("an event");
        quiet.failure("reader", new IllegalStateException("broken"));
        quiet.failure("reader", new IllegalStateException("broken again"));
        assertEquals("[headroom] error in reader: java.lang.IllegalStateException: broken (reported once; Headroom carries on)"
                + System.lineSeparator(), err());
    }

    @Test
    void toJsonPutsTimeAndEventFirstAndMessageLast() {
        HeadroomEvent e = new HeadroomEvent(5, "start", Map.of("pid", 7L), "started");
        assertEquals("{\"time\":5,\"event\":\"start\",\"pid\":7,\"message\":\"started\"}", EventBus.toJson(e));
    }
}
