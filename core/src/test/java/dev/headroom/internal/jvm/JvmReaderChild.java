package dev.headroom.internal.jvm;

import dev.headroom.JvmSnapshot;

import java.nio.ByteBuffer;

/** Run in a child JVM by JvmReaderTest: holds 16 MiB of direct buffers and prints what JvmReader saw. */
public final class JvmReaderChild {

    private JvmReaderChild() {
    }

    public static void main(String[] args) {
        ByteBuffer held = ByteBuffer.allocateDirect(16 << 20);
        JvmReader reader = new JvmReader();
        JvmSnapshot s = reader.read();
        System.out.println("nmtEnabled=" + s.nmtEnabled());
        System.out.println("threadStackEstimated=" + s.threadStackEstimated());
        System.out.println("threadStackBytes=" + s.threadStackBytes());
        s.nmt().forEach((name, c) -> System.out.println("nmt." + name + "=" + c.committedBytes()));
        System.out.println("config.nativeMemoryTracking=" + reader.configuration().nativeMemoryTracking());
        System.out.println("held=" + held.capacity());
    }
}
