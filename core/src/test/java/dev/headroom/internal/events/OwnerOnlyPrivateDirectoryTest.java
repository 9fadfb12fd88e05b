package dev.headroom.internal.events;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The heap dump's private directory: new, owner-only, never an existing name or a planted link. */
class OwnerOnlyPrivateDirectoryTest {

    @Test
    void eachCallMakesANewOwnerOnlyDirectory(@TempDir Path parent) throws Exception {
        Path a = OwnerOnly.createPrivateDirectory(parent, ".headroom-dump-");
        Path b = OwnerOnly.createPrivateDirectory(parent, ".headroom-dump-");
        assertNotEquals(a, b);
        for (Path p : new Path[] {a, b}) {
            assertEquals(parent, p.getParent());
            assertTrue(p.getFileName().toString().startsWith(".headroom-dump-"), p.toString());
            assertTrue(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS), p.toString());
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
        }
    }

    @Test
    void takenNamesAndPlantedLinksAreSkippedNotReused(@TempDir Path parent) throws Exception {
        Path elsewhere = Files.createDirectory(parent.resolve("elsewhere"));
        Files.createDirectory(parent.resolve("d-7"));
        Files.createSymbolicLink(parent.resolve("d-8"), elsewhere);
        Files.writeString(parent.resolve("d-9"), "someone's file");

        Path made = OwnerOnly.createPrivateDirectory(parent, "d-", 7);

        assertEquals(parent.resolve("d-10"), made);
        assertTrue(Files.isSymbolicLink(parent.resolve("d-8")), "the link is left as it was");
        assertEquals("someone's file", Files.readString(parent.resolve("d-9")));
        try (var inside = Files.list(elsewhere)) {
            assertEquals(0, inside.count(), "nothing was created through the link");
        }
    }

    @Test
    void aParentThatIsNotThereIsNamed(@TempDir Path parent) {
        Path missing = parent.resolve("gone");
        IOException e = assertThrows(IOException.class, () -> OwnerOnly.createPrivateDirectory(missing, "d-"));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }
}
