package dev.headroom.agent.who;

import dev.headroom.internal.governor.HeapDumps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JfrRepositoryTest {
    @TempDir
    Path tmp;

    private static JfrRepository.Jvm jvm(Map<String, String> properties, String recorderOptions) {
        return new JfrRepository.Jvm() {
            @Override
            public String property(String key) {
                return properties.get(key);
            }

            @Override
            public String recorderOptions() {
                return recorderOptions;
            }
        };
    }

    /** Every directory is on a file system of {@code type}; remembers which one was asked. */
    private static final class Stores implements HeapDumps.FileStores {
        final String type;
        Path asked;

        Stores(String type) {
            this.type = type;
        }

        @Override
        public String type(Path dir) {
            asked = dir;
            return type;
        }

        @Override
        public long usableSpace(Path dir) {
            return Long.MAX_VALUE;
        }
    }

    @Test
    void theRepositoryIsTheOneInUseThenTheFlagsThenTheTemporaryDirectory() {
        Map<String, String> p = new HashMap<>(Map.of("java.io.tmpdir", "/tmp"));
        assertEquals(Path.of("/tmp"), JfrRepository.base(jvm(p, "")));
        assertEquals(Path.of("/data/jfr"), JfrRepository.base(jvm(p, "stackdepth=128,repository=/data/jfr")));
        p.put("jdk.jfr.repository", "/var/jfr/2026_12_06_1");
        assertEquals(Path.of("/var/jfr/2026_12_06_1"), JfrRepository.base(jvm(p, "repository=/data/jfr")));
    }

    @Test
    void onTmpfsTheHeapRecordingIsRefusedWithTheFlagThatMovesIt() {
        Stores tmpfs = new Stores("tmpfs");
        Optional<String> why = JfrRepository.memoryBacked(jvm(Map.of("java.io.tmpdir", tmp.toString()), ""), tmpfs);
        assertTrue(why.isPresent());
        assertTrue(why.get().contains(tmp + " is on tmpfs"), why.get());
        assertTrue(why.get().contains("-XX:FlightRecorderOptions:repository="), why.get());
        assertEquals(tmp, tmpfs.asked);
    }

    @Test
    void onDiskItStarts() {
        assertEquals(Optional.empty(), JfrRepository.memoryBacked(jvm(Map.of("java.io.tmpdir", tmp.toString()), ""),
                new Stores("ext4")));
    }

    @Test
    void aRepositoryNotMadeYetIsJudgedByItsNearestExistingParent() {
        Stores tmpfs = new Stores("tmpfs");
        Path later = tmp.resolve("jfr/repo");
        assertTrue(JfrRepository.memoryBacked(jvm(Map.of(), "repository=" + later), tmpfs).isPresent());
        assertEquals(tmp, tmpfs.asked);
    }

    @Test
    void aFileSystemThatCannotBeReadLetsJfrDecide() {
        HeapDumps.FileStores broken = new HeapDumps.FileStores() {
            @Override
            public String type(Path dir) throws IOException {
                throw new IOException("no");
            }

            @Override
            public long usableSpace(Path dir) {
                return 0;
            }
        };
        assertEquals(Optional.empty(), JfrRepository.memoryBacked(jvm(Map.of("java.io.tmpdir", tmp.toString()), ""), broken));
    }
}
