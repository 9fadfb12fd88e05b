package dev.headroom.agent.who;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Heap allocation per site, from JFR's allocation events in a {@link RecordingStream}: the only class
 * that names {@code jdk.jfr}; {@link Who} loads it when attribution switches on, and only when the
 * runtime has the {@code jdk.jfr} module, so JFR is never initialised before the first WARN.
 *
 * <p>HotSpot emits {@code jdk.ObjectAllocationInNewTLAB} when an allocation does not fit in the
 * thread's TLAB and gets a new one (field {@code tlabSize}), and {@code jdk.ObjectAllocationOutsideTLAB}
 * when it is placed in the shared heap ({@code allocationSize}). The chance that a given allocation is
 * the one that opens a new TLAB grows with its size, so crediting its site with the whole TLAB is the
 * classic unbiased estimate of each site's allocated bytes; an allocation outside a TLAB is seen
 * exactly. ({@code jdk.ObjectAllocationSample}'s {@code weight} is unusable for this: it is everything
 * the thread allocated since its previous sample, so with a regular pattern it aliases onto whichever
 * allocation happens to be sampled.) What this measures is allocation since attribution switched on,
 * not what is still live: the answer names who allocates while the heap grows.
 *
 * <p>Cost: one event per TLAB refill or outside allocation (JFR records the stack with the default
 * depth of 64 frames); the events are parsed on JFR's own streaming thread. That thread's allocations
 * and those of Headroom's own threads (all named {@code headroom-...}) are left out, and the disk repository is kept to {@value #MAX_REPOSITORY_BYTES} bytes and
 * {@value #MAX_AGE_SECONDS} s.
 */
final class HeapSites implements AutoCloseable {
    static final String NEW_TLAB = "jdk.ObjectAllocationInNewTLAB";
    static final String OUTSIDE_TLAB = "jdk.ObjectAllocationOutsideTLAB";
    static final long MAX_REPOSITORY_BYTES = 16L << 20;
    static final long MAX_AGE_SECONDS = 10;
    static final long CLOSE_WAIT_MILLIS = 2_000;

    private final SiteTable table = new SiteTable("allocatedBytes");
    private final LongAdder events = new LongAdder();
    private volatile boolean closed;
    private final CountDownLatch firstFlush = new CountDownLatch(1);
    private final RecordingStream stream;
    private final Consumer<Throwable> failed;

    /**
     * Starts the recording on a daemon thread {@code headroom-who-jfr}; {@code failed} is told when the
     * stream cannot start or fails later. Not {@code startAsync()}: the thread it starts is not a
     * daemon, and a stream left running would keep the JVM from exiting when the application's last
     * thread ends (an application dying of {@code OutOfMemoryError} in {@code main} would hang).
     */
    HeapSites(Consumer<Throwable> failed) {
        this.failed = t -> {
            firstFlush.countDown(); // nobody waits for a flush that will not come
            failed.accept(t);
        };
        RecordingStream s = new RecordingStream();
        try {
            s.enable(NEW_TLAB).withStackTrace();
            s.enable(OUTSIDE_TLAB).withStackTrace();
            s.setMaxSize(MAX_REPOSITORY_BYTES);
            s.setMaxAge(Duration.ofSeconds(MAX_AGE_SECONDS));
            s.setReuse(true); // nothing here keeps an event past its handler
            s.setOrdered(false);
            s.onEvent(NEW_TLAB, e -> sample(e, e.getLong("tlabSize")));
            s.onEvent(OUTSIDE_TLAB, e -> sample(e, e.getLong("allocationSize")));
            s.onError(this.failed::accept);
            s.onFlush(() -> {
                if (events.sum() > 0) {
                    firstFlush.countDown();
                }
            });
            Thread t = new Thread(() -> run(s), "headroom-who-jfr");
            t.setDaemon(true);
            t.start();
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
        stream = s;
    }

    /** Dispatches events on this thread until the stream is closed. */
    private void run(RecordingStream s) {
        try {
            s.start();
        } catch (RuntimeException | Error e) {
            failed.accept(e);
        }
    }

    private void sample(RecordedEvent e, long bytes) {
        if (closed) {
            return; // a backlog still dispatched after close (a loaded machine): switched off means no more
        }
        try {
            events.increment();
            RecordedThread t = e.getThread();
            if (bytes <= 0 || t != null && (t.getJavaThreadId() == Thread.currentThread().getId() || Frames.headroomThread(t.getJavaName()))) {
                return; // the stream's own parsing, or Headroom's own work: not the application's
            }
            String site = site(e.getStackTrace());
            if (site != null) {
                table.site(site).amount.add(bytes);
            }
        } catch (RuntimeException | Error x) {
            failed.accept(x);
        }
    }

    /**
     * The first application frame of a JFR stack trace (which has no file names: {@code a.B.m (line 12)}),
     * or null for JFR's own work (a stack in {@code jdk.jfr} with no application frame: the recording's
     * metadata and chunk writing, which costs about as much as a leak of some MiB/s and is not the
     * application's).
     */
    static String site(RecordedStackTrace stack) {
        if (stack == null) {
            return Frames.NO_APPLICATION_FRAME;
        }
        boolean jfr = false;
        List<RecordedFrame> frames = stack.getFrames();
        for (int i = 0; i < Math.min(frames.size(), Frames.MAX_DEPTH); i++) {
            RecordedFrame f = frames.get(i);
            String type = f.isJavaFrame() ? f.getMethod().getType().getName() : null;
            if (type != null && Frames.application(type)) {
                return Frames.describe(type, f.getMethod().getName(), null, f.getLineNumber());
            }
            jfr |= type != null && type.startsWith("jdk.jfr.");
        }
        return jfr ? null : Frames.NO_APPLICATION_FRAME;
    }

    /**
     * Waits (on Headroom's switching thread) until JFR has delivered its first batch, at most
     * {@code timeout}: JFR flushes about once a second, and an answer read before the first flush would
     * have no heap in it. Returns whether it came.
     */
    boolean awaitFirstFlush(Duration timeout) throws InterruptedException {
        return firstFlush.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    SiteTable table() {
        return table;
    }

    long events() {
        return events.sum();
    }

    /**
     * Stops the recording and waits (at most {@value #CLOSE_WAIT_MILLIS} ms) for its streaming thread
     * to finish the batch it was dispatching, so no sample arrives after this returns.
     */
    @Override
    public void close() {
        closed = true;
        stream.close();
        try {
            stream.awaitTermination(Duration.ofMillis(CLOSE_WAIT_MILLIS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
