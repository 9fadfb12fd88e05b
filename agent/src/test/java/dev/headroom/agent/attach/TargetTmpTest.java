package dev.headroom.agent.attach;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hostile "container": a directory standing in for {@code /proc/PID/root} whose files point outside
 * it. Whatever the target planted, nothing the CLI writes lands outside, and nothing outside is read.
 */
class TargetTmpTest {
    private static final long PID = 4242;

    private static Path jar(Path dir) throws Exception {
        return Files.write(dir.resolve("headroom-agent.jar"), new byte[] {'P', 'K', 3, 4, 42});
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aTmpThatLinksOutsideTheContainerIsRefused(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectory(dir.resolve("root"));
        Path outside = Files.createDirectory(dir.resolve("host-etc"));
        // In the container: /tmp -> /host-etc, which the host resolves against its own root.
        Files.createSymbolicLink(root.resolve("tmp"), outside);
        AttachFailure e = assertThrows(AttachFailure.class, () -> TargetTmp.open(root, PID));
        assertTrue(e.getMessage().contains("is a symbolic link") && e.getMessage().contains("JVM 4242"), e.getMessage());
        assertEquals(List.of(), names(outside), "nothing written outside the container");
    }

    @Test
    void aLinkPlantedAtTheJarsNameIsReplacedNotWrittenThrough(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectory(dir.resolve("root"));
        Path tmp = Files.createDirectory(root.resolve("tmp"));
        Path outside = Files.createDirectory(dir.resolve("host-bin"));
        Path victim = Files.writeString(outside.resolve("sudo"), "host binary");
        Path jar = jar(dir);
        String stable = "headroom-agent-" + Long.toHexString(Files.size(jar) ^ Files.getLastModifiedTime(jar).toMillis()) + ".jar";
        Files.createSymbolicLink(tmp.resolve(stable), victim);

        String inTarget;
        try (TargetTmp t = TargetTmp.open(root, PID)) {
            inTarget = t.placeJar(jar);
        }
        assertEquals("/tmp/" + stable, inTarget);
        assertEquals("host binary", Files.readString(victim));
        assertEquals(List.of("sudo"), names(outside));
        Path copy = tmp.resolve(stable);
        assertFalse(Files.isSymbolicLink(copy));
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(jar), Files.readAllBytes(copy)));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)), "the target's user reads it");
        assertEquals(List.of(stable), names(tmp), "no temporary copy left");
    }

    @Test
    void theReportIsReadFromTheFileTheCliMadeNotFromWhatTheTargetPutsAtItsName(@TempDir Path dir) throws Exception {
        Path root = Files.createDirectory(dir.resolve("root"));
        Path tmp = Files.createDirectory(root.resolve("tmp"));
        Path secret = Files.writeString(dir.resolve("shadow"), "root:$6$secret");
        try (TargetTmp t = TargetTmp.open(root, PID); TargetTmp.Report report = t.createReport(true, null)) {
            Path file = root.resolve(report.pathInTarget().substring(1));
            assertTrue(report.pathInTarget().matches("/tmp/headroom-report-\\d+-[0-9a-z]+\\.json"), report.pathInTarget());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals(0, Files.size(file), "made empty, for the target to fill");
            // The hostile target swaps the file for a link to a host secret.
            Files.delete(file);
            Files.createSymbolicLink(file, secret);
            assertEquals("", report.read(), "the CLI's own descriptor: the secret is never opened");
        }
        assertEquals("root:$6$secret", Files.readString(secret));
        assertEquals(List.of(), names(tmp), "the name is removed (the link itself)");
    }

    @Test
    void theOneShotModeWritesOnlyIntoAnEmptyOwnerOnlyReportFile(@TempDir Path dir) throws Exception {
        Path existing = Files.writeString(dir.resolve("headroom-report-1-a.json"), "user data");
        Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("rw-------"));
        assertEquals("not empty", OneShotReport.refusal(existing));
        Path absent = dir.resolve("headroom-report-1-b.json");
        assertEquals("cannot check it: " + absent, OneShotReport.refusal(absent));
        Path link = Files.createSymbolicLink(dir.resolve("headroom-report-1-c.json"), existing);
        assertEquals("not a regular file", OneShotReport.refusal(link));
        Path other = Files.createFile(dir.resolve("app.conf"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        assertEquals("not a report file's name", OneShotReport.refusal(other));
        Path open = Files.createFile(dir.resolve("headroom-report-1-d.txt"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertEquals("not mode 0600", OneShotReport.refusal(open));
        Path good = Files.createFile(dir.resolve("headroom-report-1-e.txt"));
        Files.setPosixFilePermissions(good, PosixFilePermissions.fromString("rw-------"));
        assertEquals(null, OneShotReport.refusal(good));

        OneShotReport.run(OneShotReport.agentArgs(true, existing.toString()));
        OneShotReport.run(OneShotReport.agentArgs(true, absent.toString()));
        assertEquals("user data", Files.readString(existing), "never overwritten");
        assertFalse(Files.exists(absent), "never created");
    }
}
