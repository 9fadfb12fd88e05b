package dev.headroom.internal.events;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Under umask 000 a file created with the default mode is 0666 and a directory 0777: what Headroom
 * creates (the event log, its directories, a heap dump directory) must still be owner-only. The
 * umask is per process, so a JVM is started under it.
 */
class OwnerOnlyUmaskTest {

    /** The child: writes one event-log line and creates a dump directory, under the umask it was given. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            Diagnostics d = new Diagnostics(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
            try (EventLog log = new EventLog(dir.resolve("logs/today/headroom.jsonl"), d)) {
                log.append("{\"event\":\"start\"}");
            }
            OwnerOnly.createDirectories(dir.resolve("dumps/web-1"));
            Files.move(OwnerOnly.createPrivateDirectory(dir.resolve("dumps"), ".headroom-dump-"), dir.resolve("dumps/private"));
        }
    }

    @Test
    void umask000StillGivesOwnerOnlyFilesAndDirectories(@TempDir Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of("/bin/sh", "-c", "umask 000 && exec \"$@\"", "sh",
                java, "-cp", System.getProperty("java.class.path"), Child.class.getName(), dir.toString()))
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), output);

        assertEquals("rw-------", mode(dir.resolve("logs/today/headroom.jsonl")));
        for (String d : List.of("logs", "logs/today", "dumps", "dumps/web-1", "dumps/private")) {
            assertEquals("rwx------", mode(dir.resolve(d)), d);
        }
        assertEquals("{\"event\":\"start\"}\n", Files.readString(dir.resolve("logs/today/headroom.jsonl")));
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
