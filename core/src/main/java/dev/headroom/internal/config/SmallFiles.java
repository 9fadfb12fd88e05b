package dev.headroom.internal.config;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads a small file whole, refusing what is not a regular file (a FIFO would block) and what is
 * larger than asked. {@code kernfs.KernelFile.readSmall} is the one implementation; it is handed in
 * from above because {@code config} sits beside {@code kernfs} in the primitives layer, not over it.
 */
@FunctionalInterface
public interface SmallFiles {
    /**
     * @param name how messages name the file; every message of an {@link IOException} starts with it
     * @throws java.nio.file.NoSuchFileException when the file does not exist
     * @throws IOException                       naming the file when it is unreadable, not regular or too large
     */
    byte[] read(Path file, String name, int maxBytes) throws IOException;
}
