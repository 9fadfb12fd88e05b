package dev.headroom.internal.cgroup;

import dev.headroom.CgroupSnapshot;
import dev.headroom.Cgroups;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every fixture tree through the public entry {@link Cgroups#read(Path)}. */
class CgroupFixtureContractTest {
    private static final Path CORPUS = FixtureExpectations.corpus(Path.of(""));

    @Test
    void corpusCoversAtLeastTwentyFiveEnvironments() throws IOException {
        assertTrue(FixtureExpectations.fixtures(CORPUS).size() >= 25, "fixtures in " + CORPUS.toAbsolutePath());
    }

    @TestFactory
    Stream<DynamicTest> everyFixtureReadsAsExpected() throws IOException {
        return FixtureExpectations.fixtures(CORPUS).stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            Map<String, String> expected = FixtureExpectations.expected(dir);
            CgroupSnapshot snapshot = Cgroups.read(dir);
            List<String> wrong = FixtureExpectations.mismatches(expected,
                    key -> FixtureExpectations.fromSnapshot(snapshot, key), snapshot.errors());
            assertEquals(List.of(), wrong, () -> "fixture " + dir.getFileName() + " read as " + snapshot);
        }));
    }
}
