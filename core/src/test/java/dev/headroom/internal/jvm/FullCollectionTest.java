package dev.headroom.internal.jvm;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FullCollectionTest {
    /** Flags with the values given; the rest absent. */
    private static VmFlags flags(Map<String, String> values) {
        return new VmFlags() {
            @Override
            public Optional<Flag> get(String name) {
                return Optional.ofNullable(values.get(name)).map(v -> new Flag(v, false, false));
            }

            @Override
            public void set(String name, String value) {
                throw new IllegalArgumentException(name);
            }
        };
    }

    @Test
    void answersTheHeapAFullCollectionLeaves() {
        byte[][] garbage = new byte[64][];
        for (int i = 0; i < garbage.length; i++) {
            garbage[i] = new byte[64 * 1024];
        }
        garbage = null;
        long live = new FullCollection(flags(Map.of("DisableExplicitGC", "false"))).getAsLong();
        assertTrue(live > 0, "a collection ran and left a heap: " + live);
        assertTrue(live <= ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted(), "within the heap");
    }

    @Test
    void cannotTellWhenSystemGcIsDisabledOrConcurrent() {
        assertEquals(-1, new FullCollection(flags(Map.of("DisableExplicitGC", "true"))).getAsLong());
        assertEquals(-1, new FullCollection(flags(Map.of("ExplicitGCInvokesConcurrent", "true"))).getAsLong());
    }
}
