package dev.headroom.agent.attach;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whether the CLI knocks: only on a JVM with a Headroom thread, or one whose threads it cannot list. */
class TargetChannelTest {
    private static Path thread(Path tasks, long tid, String comm) throws Exception {
        Path t = Files.createDirectories(tasks.resolve(Long.toString(tid)));
        return Files.writeString(t.resolve("comm"), comm + "\n");
    }

    @Test
    void aJvmWithoutAHeadroomThreadIsNotKnockedOn(@TempDir Path proc) throws Exception {
        Path tasks = proc.resolve("4242/task");
        thread(tasks, 4242, "java");
        thread(tasks, 4243, "C2 CompilerThre");
        thread(tasks, 4244, "GC Thread#0");
        assertFalse(TargetChannel.mayRunHeadroom(tasks), "no Headroom here: no 5 s wait for a socket that never comes");

        thread(tasks, 4245, "headroom-sample"); // the kernel keeps 15 characters of headroom-sampler
        assertTrue(TargetChannel.mayRunHeadroom(tasks));
    }

    @Test
    void theAgentsStartThreadCountsInTheSecondBeforeTheSampler(@TempDir Path proc) throws Exception {
        Path tasks = proc.resolve("7/task");
        thread(tasks, 7, "java");
        thread(tasks, 8, "headroom-start");
        assertTrue(TargetChannel.mayRunHeadroom(tasks));
    }

    @Test
    void threadsThatCannotBeListedLeaveItToTheKnock(@TempDir Path proc) {
        assertTrue(TargetChannel.mayRunHeadroom(proc.resolve("9/task")), "no such directory: cannot tell, so knock");
    }
}
