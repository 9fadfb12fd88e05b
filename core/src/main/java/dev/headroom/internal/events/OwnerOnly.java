package dev.headroom.internal.events;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How Headroom creates the files and directories it writes (the event log, the heap dump directory):
 * owner-only whatever the umask, and never through a symbolic link at the last component.
 *
 * <p>Modes: a creation mode is ANDed with the complement of the umask (open(2), mkdir(2)), so 0600 and
 * 0700 can only lose bits, never gain them; a umask that removes owner bits (0200, 0700) would leave
 * a file Headroom cannot reopen, so a mode that is not exactly owner-only after creation is set
 * explicitly. Only what this class itself created is ever chmodded: a directory or log file that
 * already existed is the user's, and keeps its mode.
 *
 * <p>Links: an existing path is checked with {@link LinkOption#NOFOLLOW_LINKS} attributes and opened
 * with {@code O_NOFOLLOW} (the JDK maps {@code NOFOLLOW_LINKS} to it): a symbolic link planted where
 * the log will be (another user's, in a shared {@code /tmp}) is refused, not written through. A path
 * that exists but is not a regular file (a FIFO, a device) is refused before it is opened.
 */
public final class OwnerOnly {
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");

    /** Suffixes for {@link #createPrivateDirectory}: this process's id, then a count, so two JVMs sharing a directory rarely collide. */
    private static final AtomicLong SUFFIXES = new AtomicLong(ProcessHandle.current().pid() * 1_000_000L);

    private OwnerOnly() {
    }

    /**
     * Opens {@code file} for appending, creating it 0600 if absent. The channel is unbuffered: each
     * {@link FileChannel#write} is a {@code write(2)} on an {@code O_APPEND} descriptor.
     *
     * @throws IOException naming the path and why, also when it is a link or not a regular file
     */
    public static FileChannel openAppend(Path file) throws IOException {
        // Two rounds: a file created by someone else between our look and our O_EXCL create is
        // then opened as an existing one (and checked as such).
        for (int round = 0; ; round++) {
            BasicFileAttributes existing = attributesNoFollow(file);
            if (existing != null) {
                requireRegular(file, existing);
                return FileChannel.open(file, Set.of(StandardOpenOption.WRITE, StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS));
            }
            try {
                // CREATE_NEW is O_CREAT|O_EXCL, which never follows a link at the last component.
                FileChannel ch = FileChannel.open(file, Set.<OpenOption>of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND), posix(file, FILE));
                makeOwnerOnly(file, FILE);
                return ch;
            } catch (FileAlreadyExistsException e) {
                if (round > 0) {
                    throw e;
                }
            }
        }
    }

    /**
     * Creates {@code dir} and every missing parent 0700, setting each one's mode explicitly when the
     * umask changed it; directories that already exist are left as they are.
     */
    public static void createDirectories(Path dir) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = dir.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) {
            missing.push(p);
        }
        while (!missing.isEmpty()) {
            Path p = missing.pop();
            try {
                Files.createDirectory(p, posix(p, DIRECTORY));
            } catch (FileAlreadyExistsException e) {
                // made meanwhile by someone else: theirs, not ours to chmod; it must still be a directory
                if (!Files.isDirectory(p)) {
                    throw new IOException(p + " exists and is not a directory", e);
                }
                continue;
            }
            makeOwnerOnly(p, DIRECTORY);
        }
    }

    /**
     * Creates a new directory 0700 inside {@code parent}, named {@code prefix} and a suffix no one has
     * taken: {@code mkdir(2)} fails on any existing name, a planted link included, so the name need not
     * be secret. Not {@link Files#createTempDirectory}: its first call seeds a {@code SecureRandom}
     * (25-40 ms of CPU measured, more on a busy machine), and the heap dump calls this when memory runs out.
     *
     * @throws IOException naming {@code parent} when it cannot be done
     */
    public static Path createPrivateDirectory(Path parent, String prefix) throws IOException {
        return createPrivateDirectory(parent, prefix, SUFFIXES.getAndAdd(1));
    }

    /** {@link #createPrivateDirectory(Path, String)} trying suffixes from {@code first} on (tests). */
    static Path createPrivateDirectory(Path parent, String prefix, long first) throws IOException {
        FileAlreadyExistsException taken = null;
        for (long suffix = first; suffix < first + 100; suffix++) {
            Path p = parent.resolve(prefix + suffix);
            try {
                Files.createDirectory(p, posix(p, DIRECTORY));
            } catch (FileAlreadyExistsException e) {
                taken = e;
                continue;
            }
            makeOwnerOnly(p, DIRECTORY);
            return p;
        }
        throw new IOException("no free name " + prefix + "N in " + parent + " (100 taken)", taken);
    }

    /**
     * Why {@code dir} cannot hold Headroom's files, checked without creating anything: null when it is
     * a writable directory, or does not exist yet and its nearest existing parent is one (it will be
     * created). The message names the path and what it is instead.
     */
    public static String directoryProblem(Path dir) {
        Path p = dir.toAbsolutePath();
        boolean willCreate = false;
        while (p != null && !Files.exists(p)) {
            willCreate = true;
            p = p.getParent();
        }
        if (p == null) {
            return dir + " cannot be created: no part of it exists";
        }
        String where = willCreate ? dir + " cannot be created: its parent " + p : String.valueOf(dir);
        if (!Files.isDirectory(p)) {
            return where + " is not a directory (" + kind(p) + ")";
        }
        if (!Files.isWritable(p)) {
            return where + " is not writable by this process";
        }
        return null;
    }

    /** What a path that is not a directory is instead, for messages. */
    private static String kind(Path p) {
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return a.isRegularFile() ? "a regular file" : a.isOther() ? "a device, FIFO or socket" : "not a directory";
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    private static BasicFileAttributes attributesNoFollow(Path file) throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static void requireRegular(Path file, BasicFileAttributes a) throws IOException {
        if (a.isSymbolicLink()) {
            throw new IOException(file + " is a symbolic link; Headroom does not write through links (remove it, or name"
                    + " the real file)");
        }
        if (!a.isRegularFile()) {
            throw new IOException(file + " is not a regular file (a directory, FIFO, device or socket); Headroom writes"
                    + " only regular files");
        }
    }

    private static FileAttribute<?>[] posix(Path p, Set<PosixFilePermission> perms) {
        return isPosix(p) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(perms)} : new FileAttribute<?>[0];
    }

    private static boolean isPosix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** Sets exactly {@code perms} on a path this class just created, if the umask left it otherwise. */
    private static void makeOwnerOnly(Path p, Set<PosixFilePermission> perms) throws IOException {
        if (!isPosix(p)) {
            return;
        }
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.permissions().equals(perms)) {
            Files.setPosixFilePermissions(p, perms);
        }
    }
}
