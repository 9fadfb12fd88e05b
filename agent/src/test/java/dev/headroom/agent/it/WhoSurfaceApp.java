package dev.headroom.agent.it;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The target of {@code ReportWhoIT}: allocates and holds direct buffers at two known sites, 3:1 in
 * bytes (96 KiB in {@link #large} against 32 KiB in {@link #small} every 20 ms, about 6 MiB/s), up to
 * a cap, then holds what it has. It reaches no limit: {@code report --who} switches attribution on.
 */
public final class WhoSurfaceApp {
    private static final long CAP = 160L << 20;
    private static final List<ByteBuffer> HELD = new ArrayList<>();

    private WhoSurfaceApp() {
    }

    public static void main(String[] args) throws Exception {
        long until = System.currentTimeMillis() + Long.parseLong(args.length > 0 ? args[0] : "60000");
        System.out.println("READY " + ProcessHandle.current().pid());
        System.out.flush();
        long held = 0;
        while (System.currentTimeMillis() < until) {
            if (held < CAP) {
                large();
                small();
                held += 128 << 10;
            }
            Thread.sleep(20);
        }
    }

    private static void large() {
        HELD.add(ByteBuffer.allocateDirect(96 << 10));
    }

    private static void small() {
        HELD.add(ByteBuffer.allocateDirect(32 << 10));
    }
}
