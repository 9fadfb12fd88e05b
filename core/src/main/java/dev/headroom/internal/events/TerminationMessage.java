package dev.headroom.internal.events;

import dev.headroom.HeadroomConfig;
import dev.headroom.HeadroomEvent;
import dev.headroom.internal.config.Values;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code terminationMessage}: why the JVM left, in the file Kubernetes reads when a container ends
 * (its {@code terminationMessagePath}, {@code /dev/termination-log} by default) and shows in
 * {@code kubectl describe pod} as the last state's message. It listens to the {@code exit} event
 * ({@code exitAt}) and the {@code heap_dump} event, and after each one rewrites the whole file: the
 * exit's line, then the latest dump's. The file is the pod's: it is overwritten, never appended to.
 *
 * <p>Kubernetes keeps at most 4096 bytes of one container's message, and 12 KiB for all of a pod's
 * containers together, split evenly (kubernetes.io, "Determine the Reason for Pod Failure"), so at
 * most 4096 bytes are written, cut at a whole character, the exit's reason first. The default path is written only when it exists as a writable regular
 * file (the kubelet creates it in every container of a pod; outside Kubernetes it is absent and
 * nothing happens, silently); a path set explicitly is created if missing, and anything else there (a
 * link, a FIFO whose open would block, a device) is refused before it is opened. A failure is one line, once;
 * nothing is thrown into the event's emitter.
 */
public final class TerminationMessage implements Consumer<HeadroomEvent> {
    /** Kubernetes' default {@code terminationMessagePath}. */
    public static final Path KUBERNETES_DEFAULT = Path.of("/dev/termination-log");
    static final int MAX_BYTES = 4096;
    private static final String CUT = "...";
    private static final FileAttribute<?> OWNER_ONLY = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final Path file;
    private final boolean onlyIfPresent;
    private final Diagnostics diagnostics;
    private String exitLine;
    private String dumpLine;

    TerminationMessage(Path file, boolean onlyIfPresent, Diagnostics diagnostics) {
        this.file = file;
        this.onlyIfPresent = onlyIfPresent;
        this.diagnostics = diagnostics;
    }

    /** Subscribes the writer to {@code bus} unless {@code terminationMessage=off}. */
    public static void subscribe(EventBus bus, HeadroomConfig config, Diagnostics diagnostics) {
        if (config.terminationMessage().isPresent()) {
            Path f = config.terminationMessage().get();
            bus.subscribe(new TerminationMessage(f, f.equals(KUBERNETES_DEFAULT), diagnostics));
        }
    }

    @Override
    public synchronized void accept(HeadroomEvent e) {
        if (e.event().equals("exit")) {
            exitLine = e.message();
        } else if (e.event().equals("heap_dump")) {
            dumpLine = e.message();
        } else {
            return;
        }
        write(content());
    }

    /** The message: the exit's reason, then the latest heap dump; at most {@link #MAX_BYTES} of UTF-8. */
    byte[] content() {
        StringBuilder sb = new StringBuilder(512);
        for (String line : new String[] {exitLine, dumpLine}) {
            if (line != null) {
                sb.append("headroom: ").append(Values.printable(line)).append('\n');
            }
        }
        ByteBuffer out = ByteBuffer.allocate(MAX_BYTES);
        // The encoder stops before a character that does not fit whole, so a cut never splits one.
        boolean fits = !StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(sb), out, true).isOverflow();
        if (!fits) {
            int end = Math.min(out.position(), MAX_BYTES - CUT.length() - 1);
            while (end > 0 && (out.get(end) & 0xC0) == 0x80) {
                end--; // the first byte dropped must start a character, not continue one
            }
            out.position(end);
            out.put(CUT.getBytes(StandardCharsets.US_ASCII)).put((byte) '\n');
        }
        byte[] bytes = new byte[out.position()];
        out.flip().get(bytes);
        return bytes;
    }

    private void write(byte[] content) {
        try {
            BasicFileAttributes a = attributes();
            if (onlyIfPresent && (a == null || !a.isRegularFile() || !Files.isWritable(file))) {
                return; // the default outside a Kubernetes container: nobody reads it, and it is not ours
            }
            if (a != null && !a.isRegularFile()) {
                refused(a.isSymbolicLink() ? "a symbolic link" : a.isDirectory() ? "a directory" : "a FIFO, socket or device");
                return;
            }
            // O_NOFOLLOW for both; O_EXCL when creating, so a file planted meanwhile is not written through.
            Set<OpenOption> open = a != null
                    ? Set.of(StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)
                    : Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW, LinkOption.NOFOLLOW_LINKS);
            // A file created here is owner-only, like every file Headroom creates (hardening.md).
            try (FileChannel ch = a != null ? FileChannel.open(file, open) : FileChannel.open(file, open, OWNER_ONLY)) {
                ByteBuffer b = ByteBuffer.wrap(content);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        } catch (IOException | RuntimeException e) {
            diagnostics.problem("termination-message", "terminationMessage", "could not write the termination message to "
                    + Values.printable(file.toString()) + ": " + Diagnostics.describe(e) + " (reported once)");
        }
    }

    private BasicFileAttributes attributes() throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private void refused(String what) {
        diagnostics.problem("termination-message", "terminationMessage", "termination message not written: "
                + Values.printable(file.toString()) + " is " + what + ", not a regular file (reported once)");
    }
}
