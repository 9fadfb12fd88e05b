package dev.headroom.testkit.probes;

import dev.headroom.internal.cgroup.CgroupMonitor;
import dev.headroom.internal.cgroup.CgroupSample;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the production cgroup monitor inside a real cgroup and prints one line per sample:
 * {@code sample time=EPOCH_MS version=V dir=DIR limit=L usage=U ws=W}. When the file named by the
 * second argument appears, it allocates (and touches) 100 MiB of direct buffers once and prints
 * {@code ALLOCATED}.
 *
 * <pre>CgroupProbe PERIOD_MS TRIGGER_FILE RE_RESOLVE_MS</pre>
 */
public final class CgroupProbe {
    private CgroupProbe() {
    }

    public static void main(String[] args) throws Exception {
        long periodMs = Long.parseLong(args[0]);
        Path trigger = Paths.get(args[1]);
        long reResolveMs = Long.parseLong(args[2]);
        List<ByteBuffer> held = new ArrayList<>();
        CgroupSample s = new CgroupSample();
        try (CgroupMonitor monitor = CgroupMonitor.open(Paths.get("/"), System::nanoTime,
                TimeUnit.MILLISECONDS.toNanos(reResolveMs))) {
            while (true) {
                long time = System.currentTimeMillis();
                monitor.sample(s);
                System.out.println("sample time=" + time + " version=" + s.version + " dir=" + monitor.memoryDir()
                        + " limit=" + s.limit + " usage=" + s.usage + " ws=" + s.workingSet);
                if (held.isEmpty() && Files.exists(trigger)) {
                    for (int i = 0; i < 100; i++) {
                        held.add(ByteBuffer.allocateDirect(1 << 20)); // zeroed, so every page is touched
                    }
                    System.out.println("ALLOCATED");
                }
                System.out.flush();
                Thread.sleep(periodMs);
            }
        }
    }

    /** One parsed {@code sample} line. */
    public record Line(long time, int version, String dir, long limit, long usage, long workingSet) {
        public static boolean is(String line) {
            return line.startsWith("sample ");
        }

        public static Line parse(String line) {
            long time = 0;
            int version = 0;
            String dir = null;
            long limit = 0;
            long usage = 0;
            long ws = 0;
            for (String field : line.substring("sample ".length()).split(" ")) {
                String[] kv = field.split("=", 2);
                switch (kv[0]) {
                    case "time" -> time = Long.parseLong(kv[1]);
                    case "version" -> version = Integer.parseInt(kv[1]);
                    case "dir" -> dir = kv[1];
                    case "limit" -> limit = Long.parseLong(kv[1]);
                    case "usage" -> usage = Long.parseLong(kv[1]);
                    case "ws" -> ws = Long.parseLong(kv[1]);
                    default -> throw new IllegalArgumentException("unknown field in " + line);
                }
            }
            return new Line(time, version, dir, limit, usage, ws);
        }
    }
}
