package dev.headroom.internal.channel;

import dev.headroom.Budget;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.governor.Governor;
import dev.headroom.internal.report.ReportFrame;
import dev.headroom.internal.report.ReportJson;
import dev.headroom.internal.report.ReportText;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The server end of the local channel: an owner-only Unix domain socket ({@link UnixDomainSocketAddress},
 * Java 16+) at {@code /tmp/.headroom-<pid>.sock}, polled by the sampler thread.
 *
 * <p><b>No thread.</b> {@link #tick()} runs on {@code headroom-sampler} at every watch tick (50 ms by
 * default) or sample: one non-blocking {@code accept()} at most every {@value #ACCEPT_MILLIS} ms when
 * nobody is connected. It is opened only when a client knocks ({@link ChannelDoor}). A client is
 * served over the next ticks: its request line is read, the answer rendered from the latest budget
 * (never a sample) and written, and the connection closed. At most {@value #MAX_CONNECTIONS}
 * connections are held, each for at most {@value #DEADLINE_MILLIS} ms, so a client that connects and
 * says nothing costs a slot for two seconds and nothing else.
 *
 * <p><b>Owner-only.</b> Linux checks write permission on the socket file at {@code connect(2)}
 * (unix(7)), so a 0600 socket admits its owner and root only. The socket is bound inside a fresh
 * 0700 directory, set to 0600, and only then renamed onto its public name: it is never reachable
 * under a wider mode, whatever the umask. The rename replaces a stale socket of an earlier JVM with
 * this pid (a container restarted on the same {@code /tmp}) and never follows a link; a link, a
 * non-socket, or a socket someone still answers on at that name is left alone, and the channel is
 * not offered. The peer's uid is not checked again ({@code SO_PEERCRED} is in {@code jdk.net}): the
 * kernel has already applied the file's mode, and a host root reaching a container in a user
 * namespace would show up as the overflow uid and be refused for no gain.
 */
public final class ChannelServer {
    static final int MAX_CONNECTIONS = 4;
    static final long DEADLINE_MILLIS = 2_000;
    static final long ACCEPT_MILLIS = 200;
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_SOCKET = PosixFilePermissions.fromString("rw-------");

    private final ServerSocketChannel server;
    private final Path path;
    /** The socket file's identity, so {@link #close()} removes this socket and never a later one. */
    private final Object fileKey;
    private final Supplier<Budget> latest;
    /** Whose attribution the {@code who} requests switch; null: they are refused. */
    private final Governor governor;
    private final List<Connection> connections = new ArrayList<>(MAX_CONNECTIONS);
    private long nextAccept = System.nanoTime();

    private ChannelServer(ServerSocketChannel server, Path path, Object fileKey, Supplier<Budget> latest, Governor governor) {
        this.server = server;
        this.path = path;
        this.fileKey = fileKey;
        this.latest = latest;
        this.governor = governor;
    }

    /** {@link #open(Path, long, Supplier, Governor, Diagnostics)} without a governor: {@code who} requests refused. */
    public static Optional<ChannelServer> open(Path dir, long pid, Supplier<Budget> latest, Diagnostics diagnostics) {
        return open(dir, pid, latest, null, diagnostics);
    }

    /**
     * Offers the channel at {@code dir/.headroom-<pid>.sock}; when it cannot, says why in one line and
     * returns empty (Headroom carries on without it).
     *
     * @param governor the running governor, whose attribution {@code who} requests switch (on the
     *                 sampler thread, which serves the channel); null to refuse them
     */
    public static Optional<ChannelServer> open(Path dir, long pid, Supplier<Budget> latest, Governor governor, Diagnostics diagnostics) {
        Path path = dir.resolve(ChannelProtocol.fileName(pid));
        try {
            return Optional.of(bind(dir, path, latest, governor));
        } catch (IOException | RuntimeException e) {
            diagnostics.once("channel", "local channel " + path + " not offered: " + (e.getMessage() == null ? e.toString()
                    : e.getMessage()) + "; report --pid will need a JDK (jdk.attach) to read this JVM (channel=off silences this)");
            return Optional.empty();
        }
    }

    private static ChannelServer bind(Path dir, Path path, Supplier<Budget> latest, Governor governor) throws IOException {
        refuseUnlessFreeOrStale(path);
        Path privateDir = Files.createTempDirectory(dir, path.getFileName() + ".",
                PosixFilePermissions.asFileAttribute(OWNER_DIR));
        Path inside = privateDir.resolve("s");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            // A umask that removes owner bits (0700) could leave the directory unusable to us: set it exactly.
            Files.setPosixFilePermissions(privateDir, OWNER_DIR);
            server.bind(UnixDomainSocketAddress.of(inside), MAX_CONNECTIONS);
            server.configureBlocking(false);
            Files.setPosixFilePermissions(inside, OWNER_SOCKET);
            // rename(2): atomic, replaces a stale socket at the name, a link there itself and never its target.
            Files.move(inside, path, StandardCopyOption.ATOMIC_MOVE);
            Object key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            // Removed at exit too (System.exit, exitAt, the end of main); a SIGKILL leaves it stale, replaced next start.
            path.toFile().deleteOnExit();
            return new ChannelServer(server, path, key, latest, governor);
        } catch (IOException | RuntimeException e) {
            closeQuietly(server);
            throw e;
        } finally {
            Files.deleteIfExists(inside);
            Files.deleteIfExists(privateDir);
        }
    }

    /**
     * Refuses a link, anything but a socket, and a socket someone answers on; a socket nobody answers
     * on is what a JVM killed with this pid left behind, and may be replaced.
     */
    static void refuseUnlessFreeOrStale(Path path) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (a.isSymbolicLink()) {
            throw new IOException(path + " is a symbolic link (not ours to follow or replace)");
        }
        if (!a.isOther()) {
            throw new IOException(path + " exists and is not a socket");
        }
        boolean answered;
        try {
            answered = ChannelClient.answers(path);
        } catch (IOException e) {
            throw new IOException(path + " exists and cannot be probed (" + e.getMessage() + ")", e);
        }
        if (!answered) {
            return; // ECONNREFUSED: bound by nobody now, stale
        }
        throw new IOException(path + " is a socket another process answers on (a JVM with the same pid sharing this /tmp?)");
    }

    /** The socket's path as this JVM names it. */
    public Path path() {
        return path;
    }

    /** Accepts, reads, answers and closes what it can without waiting; costs one {@code accept()} when idle. */
    public synchronized void tick() {
        long now = System.nanoTime();
        // With nobody connected, accept() at most every ACCEPT_MILLIS: the watch ticks up to 20 times a
        // second while memory moves, and each empty accept() costs a system call and 64 bytes of garbage
        // inside the JDK (ChannelTickBenchmark). A client waits that much longer; it allows 15 s.
        if (connections.isEmpty() && now - nextAccept < 0) {
            return;
        }
        nextAccept = now + TimeUnit.MILLISECONDS.toNanos(ACCEPT_MILLIS);
        while (connections.size() < MAX_CONNECTIONS) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                break;
            }
            if (c == null) {
                break;
            }
            try {
                c.configureBlocking(false);
                connections.add(new Connection(c, now + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS)));
            } catch (IOException e) {
                closeQuietly(c);
            }
        }
        for (int i = connections.size() - 1; i >= 0; i--) {
            Connection c = connections.get(i);
            if (c.serve(now)) {
                closeQuietly(c.channel);
                connections.remove(i);
            }
        }
    }

    /** One client: its request, then its answer, written as the socket takes it. */
    private final class Connection {
        final SocketChannel channel;
        final long deadline;
        final ByteBuffer request = ByteBuffer.allocate(ChannelProtocol.MAX_REQUEST);
        ByteBuffer answer;

        Connection(SocketChannel channel, long deadline) {
            this.channel = channel;
            this.deadline = deadline;
        }

        /** True when done with it (answered, gone, or out of time). */
        boolean serve(long now) {
            try {
                if (answer == null) {
                    int n = channel.read(request);
                    int end = lineEnd();
                    if (end < 0) {
                        if (n < 0) {
                            return true;
                        }
                        if (request.hasRemaining()) {
                            return now - deadline > 0;
                        }
                        answer = encode(ChannelProtocol.ERROR + "request longer than " + ChannelProtocol.MAX_REQUEST + " bytes\n");
                    } else {
                        answer = encode(answer(new String(request.array(), 0, end, StandardCharsets.US_ASCII).trim()));
                    }
                }
                channel.write(answer);
                return !answer.hasRemaining() || now - deadline > 0;
            } catch (IOException | RuntimeException e) {
                return true;
            }
        }

        private int lineEnd() {
            for (int i = 0; i < request.position(); i++) {
                if (request.get(i) == '\n') {
                    return i;
                }
            }
            return -1;
        }
    }

    /** The status line and body for one request. */
    String answer(String verb) {
        if (verb.startsWith(ChannelProtocol.WHO + " ")) {
            return who(verb.substring(ChannelProtocol.WHO.length() + 1));
        }
        Budget b = latest.get();
        if (b == null) {
            return ChannelProtocol.ERROR + "no budget yet (the first sample has not finished)\n";
        }
        if (governor != null) {
            // report --who reads right after its wait: attribution's findings as of now, not of the last sample
            b = governor.withCurrentWho(b);
        }
        String body;
        switch (verb) {
            case ChannelProtocol.JSON:
                body = ReportJson.toJson(b) + "\n";
                break;
            case ChannelProtocol.TEXT:
                body = ReportText.render(b, "the target JVM");
                break;
            case ChannelProtocol.FRAME:
                body = ReportFrame.render(b);
                break;
            default:
                String shown = verb.length() > 20 ? verb.substring(0, 20) + "..." : verb;
                return ChannelProtocol.ERROR + "unknown request '" + shown.replaceAll("[^ -~]", "?") + "'; ask "
                        + ChannelProtocol.JSON + ", " + ChannelProtocol.TEXT + ", " + ChannelProtocol.FRAME + " or "
                        + ChannelProtocol.WHO + "\n";
        }
        return ChannelProtocol.OK + "\n" + body;
    }

    /**
     * {@code who on <s>}, {@code who end <id>}, {@code who keep <id> <s>}: a lease on attribution, within
     * what the JVM's own {@code who} option allows (the governor refuses under {@code who=off}). Cheap:
     * switching happens on attribution's own thread, never on this one.
     */
    private String who(String args) {
        if (governor == null) {
            return ChannelProtocol.ERROR + "this Headroom offers no attribution on its channel\n";
        }
        String[] w = args.trim().split(" +");
        try {
            long now = System.nanoTime();
            if (w.length == 2 && w[0].equals(ChannelProtocol.WHO_ON)) {
                Governor.WhoLease lease = governor.whoLease(seconds(w[1]), now);
                return ChannelProtocol.OK + "\nlease " + lease.id() + " was " + lease.previousMode() + "\n";
            }
            if (w.length == 2 && w[0].equals(ChannelProtocol.WHO_END) || w.length == 3 && w[0].equals(ChannelProtocol.WHO_KEEP)) {
                long id = Long.parseLong(w[1]);
                boolean held = governor.whoRenew(id, w.length == 3 ? seconds(w[2]) : 0, now);
                return held ? ChannelProtocol.OK + "\n" : ChannelProtocol.ERROR + "no lease " + id + " (it ended already)\n";
            }
        } catch (NumberFormatException e) {
            // fall through to the usage answer
        } catch (IllegalStateException e) {
            return ChannelProtocol.ERROR + e.getMessage() + "\n";
        }
        return ChannelProtocol.ERROR + "a who request is 'who on <seconds>', 'who end <lease>' or 'who keep <lease> <seconds>'\n";
    }

    private static long seconds(String s) {
        long v = Long.parseLong(s);
        if (v < 0) {
            throw new NumberFormatException(s);
        }
        return v;
    }

    private static ByteBuffer encode(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Stops listening and removes the socket file, if it is still this socket's. */
    public synchronized void close() {
        for (Connection c : connections) {
            closeQuietly(c.channel);
        }
        connections.clear();
        closeQuietly(server);
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (fileKey != null && fileKey.equals(a.fileKey())) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | RuntimeException e) {
            // gone already, or replaced by someone else's: not ours to remove
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing a local socket: nothing to report
        }
    }
}
