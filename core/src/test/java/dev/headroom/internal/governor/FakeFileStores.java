package dev.headroom.internal.governor;

import java.nio.file.Path;
import java.util.function.LongSupplier;

/** A file system of a given type whose usable space a test sets. */
final class FakeFileStores implements HeapDumps.FileStores {
    private final String type;
    private final LongSupplier usable;

    FakeFileStores(String type, LongSupplier usable) {
        this.type = type;
        this.usable = usable;
    }

    @Override
    public String type(Path dir) {
        return type;
    }

    @Override
    public long usableSpace(Path dir) {
        return usable.getAsLong();
    }
}
