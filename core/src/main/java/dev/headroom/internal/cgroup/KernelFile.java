package dev.headroom.internal.cgroup;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A cgroup or proc file kept open for the life of a resolution and re-read from offset 0 every
 * sample. kernfs and seq_file regenerate the content when a read starts at offset 0, so one open
 * descriptor serves every sample without the cost (and garbage) of an open/close per read. A file
 * that did not exist when opened stays absent until the next resolution.
 */
final class KernelFile implements Closeable {
    /** The path in the root's namespace, used in messages. */
    final String name;
    private final FileChannel channel;
    /** Why the file could not be opened, other than not existing; null otherwise. */
    final String openProblem;

    private KernelFile(String name, FileChannel channel, String openProblem) {
        this.name = name;
        this.channel = channel;
        this.openProblem = openProblem;
    }

    static KernelFile open(Path root, String nsPath) {
        try {
            return new KernelFile(nsPath, FileChannel.open(CgroupResolver.host(root, nsPath), StandardOpenOption.READ), null);
        } catch (NoSuchFileException e) {
            return new KernelFile(nsPath, null, null);
        } catch (IOException | RuntimeException e) {
            return new KernelFile(nsPath, null, "cannot be opened (" + e + ")");
        }
    }

    boolean present() {
        return channel != null;
    }

    FileChannel channel() {
        return channel;
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Closing a read-only descriptor cannot lose data; nothing to report.
            }
        }
    }
}
