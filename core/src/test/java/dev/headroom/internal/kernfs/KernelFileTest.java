package dev.headroom.internal.kernfs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class KernelFileTest {

    @TempDir
    Path dir;

    @Test
    void rereadsFromOffsetZeroWithOneDescriptor() throws IOException {
        Path f = Files.writeString(dir.resolve("memory.current"), "4096\n");
        ReadBuffer buffer = new ReadBuffer(16);
        try (KernelFile file = KernelFile.open(f, "/sys/fs/cgroup/memory.current")) {
            assertTrue(file.present());
            int n = buffer.read(file);
            assertEquals(4096, ByteParsing.singleValue(buffer.data, 0, n));
            Files.writeString(f, "123456789012345678\n");
            n = buffer.read(file);
            assertEquals(123456789012345678L, ByteParsing.singleValue(buffer.data, 0, n), "grows past 16 bytes");
        }
    }

    @Test
    void readOnceNeverGrowsAndCutsALongerFileAtTheBufferSize() throws IOException {
        Path f = Files.writeString(dir.resolve("stat"), "1 (java) S 1\n");
        ReadBuffer buffer = new ReadBuffer(8, 8);
        try (KernelFile file = KernelFile.open(f, "/proc/self/task/1/stat")) {
            assertEquals(8, buffer.readOnce(file));
            assertEquals("1 (java)", new String(buffer.data, 0, 8, StandardCharsets.US_ASCII));
            Files.writeString(f, "2\n");
            assertEquals(2, buffer.readOnce(file), "re-read from offset 0");
            assertEquals(8, buffer.data.length);
        }
        assertEquals(ReadBuffer.MISSING, buffer.readOnce(KernelFile.open(dir.resolve("gone"), "/gone")));
    }

    @Test
    void aMissingFileIsAbsentWithoutAProblem() {
        KernelFile file = KernelFile.open(dir.resolve("nope"), "/nope");
        assertFalse(file.present());
        assertNull(file.openProblem());
        assertEquals(ReadBuffer.MISSING, new ReadBuffer(8).read(file));
    }

    @Test
    void aFifoIsRefusedWithoutBlocking() throws Exception {
        Path fifo = dir.resolve("fifo");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(p.waitFor() == 0, "mkfifo is needed to make a FIFO");
        KernelFile file = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> KernelFile.open(fifo, "/proc/self/cgroup"));
        assertFalse(file.present());
        assertTrue(file.openProblem().contains("not a regular file"), file.openProblem());
        IOException e = assertThrows(IOException.class, () -> assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> KernelFile.readSmall(fifo, "/proc/self/mountinfo", 1024)));
        assertTrue(e.getMessage().startsWith("/proc/self/mountinfo is not a regular file"), e.getMessage());
    }

    @Test
    void readSmallIsBounded() throws IOException {
        Path big = Files.write(dir.resolve("big"), new byte[5000]);
        IOException e = assertThrows(IOException.class, () -> KernelFile.readSmall(big, "/proc/meminfo", 4096));
        assertEquals("/proc/meminfo is larger than 4096 bytes; not read", e.getMessage());
        Path small = Files.writeString(dir.resolve("small"), "0::/\n");
        assertArrayEquals("0::/\n".getBytes(StandardCharsets.US_ASCII), KernelFile.readSmall(small, "/proc/self/cgroup", 4096));
    }

    @Test
    void aDeviceIsRefused() throws IOException {
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.exists(zero));
        IOException e = assertThrows(IOException.class, () -> KernelFile.readSmall(zero, "/proc/self/cgroup", 1 << 20));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
    }
}
