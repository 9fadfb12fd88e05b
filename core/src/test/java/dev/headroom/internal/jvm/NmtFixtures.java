package dev.headroom.internal.jvm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The captured NMT texts under src/test/resources/nmt. */
final class NmtFixtures {

    private NmtFixtures() {
    }

    static String text(String folder) {
        try {
            Path path = Path.of(NmtFixtures.class.getResource("/nmt/" + folder + "/vmNativeMemory.txt").toURI());
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("no NMT fixture " + folder, e);
        }
    }
}
