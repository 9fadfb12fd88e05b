package dev.headroom.internal.runtime;

import dev.headroom.internal.governor.HeapDumps;
import dev.headroom.internal.governor.OrderlyExit;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/** Stand-ins for the last acts, so a test can go as far as a heap dump and an exit in its own JVM. */
public final class TestExits {
    private TestExits() {
    }

    /** A local disk with a terabyte free: no dump is refused for its file system or its room. */
    public static HeapDumps.FileStores roomyDisk() {
        return new HeapDumps.FileStores() {
            @Override
            public String type(Path d) {
                return "ext4";
            }

            @Override
            public long usableSpace(Path d) {
                return 1L << 40;
            }
        };
    }

    /** Records exit codes (a halt as the negative code) instead of ending the JVM. */
    public static final class Recorder implements OrderlyExit.Exiter {
        public final List<Integer> codes = new CopyOnWriteArrayList<>();
        public final CountDownLatch exited = new CountDownLatch(1);

        @Override
        public void exit(int code) {
            codes.add(code);
            exited.countDown();
        }

        @Override
        public void halt(int code) {
            codes.add(-code);
        }
    }
}
