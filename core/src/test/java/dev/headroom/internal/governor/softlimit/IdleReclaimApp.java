package dev.headroom.internal.governor.softlimit;

import dev.headroom.Headroom;
import dev.headroom.HeadroomConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * A JVM for the real-cgroup tests: starts Headroom in-process with the configuration in args[0]
 * ("none" for no Headroom), builds a transient live set of args[1] MiB, drops it, prints
 * {@code DROPPED} and idles until killed.
 */
public final class IdleReclaimApp {
    private IdleReclaimApp() {
    }

    public static void main(String[] args) throws Exception {
        if (!args[0].equals("none")) {
            Headroom.start(HeadroomConfig.parse(args[0]));
        }
        int mib = Integer.parseInt(args[1]);
        List<byte[]> live = new ArrayList<>();
        // 256 KiB pieces: below G1's humongous threshold at every region size this heap can have.
        for (int i = 0; i < mib * 4; i++) {
            byte[] b = new byte[256 << 10];
            for (int j = 0; j < b.length; j += 4096) {
                b[j] = 1;
            }
            live.add(b);
        }
        System.out.println("BUILT " + live.size());
        live = null;
        System.out.println("DROPPED");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
