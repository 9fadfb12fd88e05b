package dev.headroom.internal.channel;

import dev.headroom.Budget;
import dev.headroom.PressureLevel;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.governor.Governor;
import dev.headroom.internal.runtime.HeadroomRuntime;

import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The channel before anyone asked for it: a knock file ({@code /tmp/.headroom-<pid>.knock}) looked at
 * with one {@code stat(2)} at most every {@value #LOOK_MILLIS} ms on the sampler's ticks, and the
 * socket ({@link ChannelServer}) opened only when a client has created that file.
 *
 * <p>Why not open the socket at start: on JDK 17 the first Unix domain socket initialises
 * {@code sun.nio.ch.UnixDomainSockets}, whose static {@code SecureRandom} loads the security
 * providers, and with the socket channel classes that is about 2.8 MiB of resident memory (metaspace
 * and the heap pages their set-up touches) in every JVM, for a command most never run. The knock
 * costs a JVM that is never asked nothing but the {@code stat}; one that is asked pays once.
 *
 * <p>Anyone who can write {@code /tmp} can knock; all a knock does is make this JVM offer what it
 * offered at start before: an owner-only socket. The knock file is removed when seen (a link is
 * removed, never its target; a file another user made in a sticky {@code /tmp} may stay, and is not
 * looked at again once the socket is open).
 */
public final class ChannelDoor implements HeadroomRuntime.Publisher {
    static final long LOOK_MILLIS = 200;

    private final Path dir;
    private final long pid;
    private final Supplier<Budget> latest;
    private final Governor governor;
    private final Diagnostics diagnostics;
    private final File knock;
    private long nextLook = System.nanoTime();
    private ChannelServer server;
    private boolean closed;

    /** @param governor whose attribution {@code who} requests hold on; null: none (answered as such) */
    public ChannelDoor(Path dir, long pid, Supplier<Budget> latest, Governor governor, Diagnostics diagnostics) {
        this.dir = dir;
        this.pid = pid;
        this.latest = latest;
        this.governor = governor;
        this.diagnostics = diagnostics;
        this.knock = dir.resolve(ChannelProtocol.knockName(pid)).toFile();
    }

    @Override
    public synchronized void tick() {
        if (server != null) {
            server.tick();
            return;
        }
        long now = System.nanoTime();
        if (closed || now - nextLook < 0) {
            return;
        }
        nextLook = now + TimeUnit.MILLISECONDS.toNanos(LOOK_MILLIS);
        // java.io.File.exists: one stat(2) and no exception when absent, unlike Files.exists on JDK 17
        if (knock.exists()) {
            knock.delete();
            server = ChannelServer.open(dir, pid, latest, governor, diagnostics).orElse(null);
            // not offered: said once by open(); a client knocking again would get the same answer
            closed = server == null;
        }
    }

    /** Whether the socket is open (someone knocked and it could be offered). */
    public synchronized boolean isOpen() {
        return server != null;
    }

    @Override
    public void budget(Budget budget) {
        // the socket answers from the latest budget when asked
    }

    @Override
    public void levelChanged(PressureLevel previous, PressureLevel current, Budget budget) {
        // nothing: a level is part of the next answer
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (server != null) {
            server.close();
        }
    }
}
