package dev.headroom.agent.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A private tmpfs mounted for one test (root only), unmounted and its mount point removed on close:
 * files written there are shared memory charged to the writer's memory cgroup, and nothing outlives
 * the test.
 */
final class Tmpfs implements AutoCloseable {
    private final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    /** Mounts one, or returns null with the reason in the exception when that is not possible. */
    static Tmpfs mount(Path dir, String size) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "headroom-e2e", dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("mount -t tmpfs " + dir + " failed: " + out.trim());
        }
        return new Tmpfs(dir);
    }

    Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        Process p = new ProcessBuilder("umount", "-l", dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        boolean done;
        try {
            done = p.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            // try-with-resources must not swallow an interrupt: restore it and report the umount as failed
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unmounting " + dir, e);
        }
        if (!done || p.exitValue() != 0) {
            throw new IOException("umount " + dir + " failed: " + out.trim());
        }
        Files.deleteIfExists(dir); // the empty mount point: nothing of the test is left in /tmp
    }
}
