package dev.headroom.agent.attach;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.util.Set;

/**
 * The target JVM's {@code /tmp}, reached from here without following any link the target controls.
 *
 * <p>The CLI often runs as root on the host while the target runs in a container whose files it
 * controls: a path such as {@code /proc/PID/root/tmp/x}, resolved by name, follows an absolute link
 * in the container against the host's root (a {@code java.io.tmpdir} or {@code /tmp} that links to
 * {@code /etc} put the copied jar there). So this class opens the container's {@code /tmp} as a
 * directory descriptor with {@code O_NOFOLLOW} ({@link SecureDirectoryStream}: {@code openat(2)}
 * relative to the root descriptor) and does every create, rename, read and delete relative to it:
 * no name is ever looked up through the container's links. Files are created with {@code O_EXCL}
 * ({@link StandardOpenOption#CREATE_NEW}), which fails on any existing name, a link included; the
 * report is read back from the descriptor the CLI created, so whatever the target puts at that name
 * afterwards is never opened here.
 *
 * <p>The container's {@code /tmp} is used, not the target's {@code java.io.tmpdir}: it is where the
 * JDK's attach mechanism already meets the target ({@code .java_pidN}), and a property the
 * application sets is one more name the target controls.
 */
public final class TargetTmp implements AutoCloseable {
    /** The directory inside the target, as the target names it. */
    public static final String DIR = "/tmp";
    /** Most bytes of a report read back: a budget report is a few KiB. */
    static final int MAX_REPORT_BYTES = 4 << 20;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<PosixFilePermission> READABLE = PosixFilePermissions.fromString("rw-r--r--");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final SecureDirectoryStream<Path> tmp;
    private final String where;

    private TargetTmp(SecureDirectoryStream<Path> tmp, String where) {
        this.tmp = tmp;
        this.where = where;
    }

    /**
     * Opens {@code root}'s {@code tmp} (root: {@code /proc/PID/root}, or a directory standing in for
     * it); refuses, saying why, when it is a link or not a directory.
     */
    public static TargetTmp open(Path root, long pid) throws AttachFailure {
        String where = root.resolve("tmp") + " (JVM " + pid + "'s " + DIR + ")";
        try (DirectoryStream<Path> rootDir = Files.newDirectoryStream(root)) {
            if (!(rootDir instanceof SecureDirectoryStream<Path> secureRoot)) {
                throw new AttachFailure("cannot reach " + where + " safely: this platform has no openat(2)-style directory"
                        + " access (SecureDirectoryStream), which the CLI needs so as not to follow the target's links");
            }
            Path tmp = Path.of("tmp");
            BasicFileAttributes a = secureRoot.getFileAttributeView(tmp, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes();
            if (a.isSymbolicLink()) {
                throw new AttachFailure(where + " is a symbolic link; the CLI does not follow links inside the target's"
                        + " file system (they would resolve against this host's root), so it refuses");
            }
            if (!a.isDirectory()) {
                throw new AttachFailure(where + " is not a directory; the CLI needs it to hand the agent to the JVM");
            }
            return new TargetTmp(secureRoot.newDirectoryStream(tmp, LinkOption.NOFOLLOW_LINKS), where);
        } catch (NoSuchFileException e) {
            throw new AttachFailure(where + " does not exist; the CLI needs it to hand the agent to the JVM", e);
        } catch (IOException e) {
            throw new AttachFailure("cannot open " + where + " without following links: " + e.getMessage(), e);
        }
    }

    /**
     * Copies {@code jar} into this directory, readable by every user (the target's user must open it;
     * the jar is no secret), and returns its path as the target sees it. Written under a fresh name
     * with {@code O_EXCL}, then renamed (relative to this directory) onto a name derived from the jar,
     * so repeated commands leave one copy; when that rename is not allowed (the name belongs to another
     * user in a sticky {@code /tmp}), the fresh name is used as it is.
     */
    public String placeJar(Path jar) throws AttachFailure {
        long size;
        String stable;
        try {
            size = Files.size(jar);
            stable = "headroom-agent-" + Long.toHexString(size ^ Files.getLastModifiedTime(jar).toMillis()) + ".jar";
        } catch (IOException e) {
            throw new AttachFailure("cannot read the agent jar " + jar + ": " + e.getMessage(), e);
        }
        Path fresh = Path.of(stable + "." + ProcessHandle.current().pid() + "-" + random() + ".tmp");
        try (SeekableByteChannel out = create(fresh, READABLE, StandardOpenOption.WRITE); InputStream in = Files.newInputStream(jar)) {
            byte[] buffer = new byte[64 << 10];
            for (int n; (n = in.read(buffer)) > 0; ) {
                ByteBuffer b = ByteBuffer.wrap(buffer, 0, n);
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
            setMode(fresh, READABLE);
        } catch (IOException e) {
            deleteQuietly(fresh);
            throw new AttachFailure("the agent jar could not be copied into " + where + ": " + e.getMessage(), e);
        }
        try {
            // renameat(2): replaces whatever is at the stable name (a link itself, never its target).
            tmp.move(fresh, tmp, Path.of(stable));
            return DIR + "/" + stable;
        } catch (IOException e) {
            return DIR + "/" + fresh;
        }
    }

    /**
     * Creates an empty report file, 0600 and owned by {@code owner} (the target's user, who writes it),
     * and keeps it open: {@link Report#read()} reads what the target wrote from this descriptor, never
     * by name again.
     */
    public Report createReport(boolean json, UserPrincipal owner) throws AttachFailure {
        Path name = Path.of("headroom-report-" + ProcessHandle.current().pid() + "-" + random() + (json ? ".json" : ".txt"));
        SeekableByteChannel channel = null;
        try {
            channel = create(name, OWNER_ONLY, StandardOpenOption.READ, StandardOpenOption.WRITE);
            setMode(name, OWNER_ONLY);
            if (owner != null) {
                tmp.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setOwner(owner);
            }
            return new Report(channel, name);
        } catch (IOException e) {
            closeQuietly(channel);
            deleteQuietly(name);
            throw new AttachFailure("cannot create the report file in " + where + ": " + e.getMessage(), e);
        }
    }

    /** An open report file: its name in the target's {@code /tmp} and the descriptor the CLI created. */
    public final class Report implements AutoCloseable {
        private final SeekableByteChannel channel;
        private final Path name;

        private Report(SeekableByteChannel channel, Path name) {
            this.channel = channel;
            this.name = name;
        }

        /** The path the target writes to, as the target sees it. */
        public String pathInTarget() {
            return DIR + "/" + name;
        }

        /** What the target wrote, from the start of the file, at most {@value #MAX_REPORT_BYTES} bytes. */
        public String read() throws IOException {
            channel.position(0);
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(MAX_REPORT_BYTES, Math.max(0, channel.size())));
            while (b.hasRemaining() && channel.read(b) > 0) {
                // fills up to the size seen above
            }
            return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
        }

        /** Closes the descriptor and removes the name (unlinkat: whatever is there now, never a link's target). */
        @Override
        public void close() {
            closeQuietly(channel);
            deleteQuietly(name);
        }
    }

    private SeekableByteChannel create(Path name, Set<PosixFilePermission> mode, OpenOption... access) throws IOException {
        Set<OpenOption> options = new java.util.HashSet<>(Set.of(access));
        options.add(StandardOpenOption.CREATE_NEW);
        options.add(LinkOption.NOFOLLOW_LINKS);
        return tmp.newByteChannel(name, options, PosixFilePermissions.asFileAttribute(mode));
    }

    /** The umask may have taken bits off the creation mode: set exactly {@code mode} on the file just created. */
    private void setMode(Path name, Set<PosixFilePermission> mode) throws IOException {
        PosixFileAttributeView view = tmp.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (!view.readAttributes().permissions().equals(mode)) {
            view.setPermissions(mode);
        }
    }

    private void deleteQuietly(Path name) {
        try {
            tmp.deleteFile(name);
        } catch (IOException | RuntimeException e) {
            // left in the target's /tmp: owner-only or a copy of the public jar, under a random name
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // nothing was written through it that matters now
            }
        }
    }

    private static String random() {
        return Long.toUnsignedString(RANDOM.nextLong(), 36);
    }

    @Override
    public void close() {
        closeQuietly(tmp);
    }
}
