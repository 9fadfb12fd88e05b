package dev.headroom.agent.attach;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The /proc checks made before the JDK's attach code may send SIGQUIT, on fake /proc trees. */
class TargetProcessTest {
    @TempDir
    Path proc;

    private static final String JVM_MAPS = "7f00-7f01 r-xp 00000000 fd:01 123 /usr/lib/jvm/java-17/lib/server/libjvm.so\n";

    private void process(long pid, long uid, String sigCgt, String maps, String state) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(dir.resolve("status"), "Name:\tjava\nState:\t" + state + "\nNSpid:\t" + pid + "\t7\nUid:\t" + uid + "\t" + uid
                + "\t" + uid + "\t" + uid + "\nSigIgn:\t0000000000000000\nSigCgt:\t" + sigCgt + "\n");
        Files.writeString(dir.resolve("maps"), maps);
        Files.write(dir.resolve("cmdline"), ("java\0-jar\0app.jar\0").getBytes());
        Files.createDirectories(dir.resolve("root/tmp"));
    }

    private void us(long uid) throws IOException {
        Files.createDirectories(proc.resolve("self"));
        Files.writeString(proc.resolve("self/status"), "Name:\tjava\nUid:\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid + "\n");
    }

    @Test
    void aJvmOfOurUserPasses() throws Exception {
        us(1000);
        process(4242, 1000, "0000000000000004", JVM_MAPS, "S (sleeping)");
        TargetProcess t = TargetProcess.inspect(4242, proc);
        assertEquals(7, t.nsPid(), "the id inside its pid namespace names its attach socket");
        assertEquals("java -jar app.jar", t.command());
        assertEquals(proc.resolve("4242/root"), t.root());
    }

    @Test
    void refusalsSayWhy() throws Exception {
        us(1000);
        assertTrue(assertThrows(AttachFailure.class, () -> TargetProcess.inspect(77, proc)).getMessage().contains("no such process"));
        process(100, 0, "0000000000000004", JVM_MAPS, "S (sleeping)");
        assertTrue(assertThrows(AttachFailure.class, () -> TargetProcess.inspect(100, proc)).getMessage()
                .contains("belongs to uid 0 and this command runs as uid 1000"));
        process(101, 1000, "0000000000000004", "7f00-7f01 r-xp 0 fd:01 1 /usr/bin/python3\n", "S (sleeping)");
        assertTrue(assertThrows(AttachFailure.class, () -> TargetProcess.inspect(101, proc)).getMessage()
                .contains("is not a Java virtual machine"));
        process(102, 1000, "0000000000000000", JVM_MAPS, "S (sleeping)");
        assertTrue(assertThrows(AttachFailure.class, () -> TargetProcess.inspect(102, proc)).getMessage()
                .contains("does not handle SIGQUIT"));
        process(103, 1000, "0000000000000004", JVM_MAPS, "Z (zombie)");
        assertTrue(assertThrows(AttachFailure.class, () -> TargetProcess.inspect(103, proc)).getMessage().contains("has exited"));
        assertTrue(assertThrows(AttachFailure.class, () -> TargetProcess.inspect(ProcessHandle.current().pid(), proc)).getMessage()
                .contains("this command itself"));
    }

    @Test
    void rootMayAttachToAnyUserAndARunningListenerNeedsNoSignal() throws Exception {
        us(0);
        process(200, 1000, "0000000000000000", JVM_MAPS, "S (sleeping)");
        Files.createFile(proc.resolve("200/root/tmp/.java_pid7"));
        assertEquals(200, TargetProcess.inspect(200, proc).pid());
    }
}
