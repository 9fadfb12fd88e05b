import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.ObjectName;

/**
 * Captures the NMT text the way Headroom reads it: through the DiagnosticCommand MBean, in process.
 * Run with a single-file launch, e.g.
 * {@code java -XX:NativeMemoryTracking=summary -Xmx64m CaptureNmt.java out.txt summary}.
 * The arguments after the output file are passed to vmNativeMemory as they are.
 * A few direct buffers and threads are created first so the Other and Thread categories are not empty.
 */
public class CaptureNmt {
    public static void main(String[] args) throws Exception {
        ByteBuffer[] keep = new ByteBuffer[4];
        for (int i = 0; i < keep.length; i++) {
            keep[i] = ByteBuffer.allocateDirect(1 << 20);
        }
        Thread[] threads = new Thread[8];
        Object lock = new Object();
        for (int i = 0; i < threads.length; i++) {
            threads[i] = new Thread(() -> { synchronized (lock) { } }, "capture-" + i);
        }
        synchronized (lock) {
            for (Thread t : threads) {
                t.start();
            }
            String[] dcmdArgs = new String[args.length - 1];
            System.arraycopy(args, 1, dcmdArgs, 0, dcmdArgs.length);
            Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {dcmdArgs}, new String[] {String[].class.getName()});
            Files.writeString(Path.of(args[0]), (String) out);
        }
        for (Thread t : threads) {
            t.join();
        }
        System.out.println(keep.length + " buffers kept");
    }
}
