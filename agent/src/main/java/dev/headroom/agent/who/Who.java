package dev.headroom.agent.who;

import dev.headroom.internal.events.EventSink;
import dev.headroom.internal.governor.Attribution;
import dev.headroom.internal.governor.HeapDumps;

import java.lang.instrument.Instrumentation;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The agent's {@link Attribution}: direct buffers, threads, zlib streams and class definitions by
 * instrumentation, heap allocation by a JFR recording. Until the first {@link #on} it is this one
 * small class: no transformer, no Byte Buddy class, no hook on the bootstrap class path, no JFR.
 * Switching runs on a short-lived daemon thread ({@code headroom-who}), never on the sampler's or the
 * application's.
 *
 * <p>Containment: a failure to switch on removes whatever was installed, is reported once as an
 * {@code error} event, and leaves attribution off for the rest of the JVM's life; so does a hook that
 * threw on an application thread ({@link dev.headroom.agent.who.boot.WhoHook} swallows it there). A
 * failure of the JFR part alone is reported once and leaves heap attribution off for the JVM's life;
 * the instrumented kinds go on.
 */
public final class Who implements Attribution {
    private final Instrumentation instrumentation;
    private final AtomicBoolean switching = new AtomicBoolean();
    private volatile EventSink events = EventSink.NONE;
    private volatile boolean wanted;
    private volatile boolean broken;
    private volatile String reason = "";
    /** Set by the switching thread only. */
    private volatile boolean installed;
    private volatile long onSinceNanos;
    private volatile Class<?> hook;
    private volatile Instrumenter instrumenter;
    private volatile DirectSites direct;
    private volatile ThreadSites threads;
    private volatile ZlibSites zlib;
    private volatile ClassSites classes;
    private volatile HeapSites heap;
    /** The JFR part failed once (reported): heap attribution stays off, the other kinds go on. */
    private final AtomicBoolean heapBroken = new AtomicBoolean();

    private Who(Instrumentation instrumentation) {
        this.instrumentation = instrumentation;
    }

    /** Attribution for this JVM, or {@link Attribution#NONE} when the JVM cannot retransform classes. */
    public static Attribution create(Instrumentation instrumentation) {
        return instrumentation != null && instrumentation.isRetransformClassesSupported()
                ? new Who(instrumentation) : Attribution.NONE;
    }

    @Override
    public void reportTo(EventSink sink) {
        this.events = sink;
    }

    @Override
    public void on(String why) {
        if (!broken && !wanted) {
            wanted = true;
            settleSoon(why);
        }
    }

    @Override
    public void off(String why) {
        if (wanted) {
            wanted = false;
            settleSoon(why);
        }
    }

    @Override
    public void beforeExit() {
        HeapSites h = heap;
        heap = null;
        if (h != null) {
            try {
                h.close(); // JFR's stream parses on the heap that is running out
            } catch (RuntimeException e) {
                // exiting anyway
            }
        }
    }

    @Override
    public boolean isOn() {
        return wanted && !broken;
    }

    @Override
    public long onForMillis() {
        return installed ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - onSinceNanos) : 0;
    }

    @Override
    public Map<String, List<Site>> top(int perComponent) {
        checkHook();
        Map<String, List<Site>> out = new LinkedHashMap<>();
        DirectSites d = direct;
        ThreadSites t = threads;
        ZlibSites z = zlib;
        ClassSites c = classes;
        HeapSites h = heap;
        put(out, "direct_buffers", d == null ? null : d.drain(), perComponent);
        put(out, "thread_stacks", t == null ? null : t.drain(), perComponent);
        // zlib allocates with plain malloc, which NMT does not track: the budget counts it in untracked_native.
        put(out, "untracked_native", z == null ? null : z.table(), perComponent);
        put(out, "metaspace", c == null ? null : c.drain(), perComponent);
        put(out, "heap", h == null ? null : h.table(), perComponent);
        return out;
    }

    private static void put(Map<String, List<Site>> out, String component, SiteTable table, int perComponent) {
        List<Site> sites = table == null ? List.of() : table.top(perComponent);
        if (!sites.isEmpty()) {
            out.put(component, sites);
        }
    }

    /** A hook that threw on an application thread has already dropped itself: switch off for good. */
    private void checkHook() {
        Class<?> h = hook;
        if (h == null || broken) {
            return;
        }
        try {
            Object failure = h.getField("failure").get(null);
            if (failure != null) {
                broken = true;
                events.error("who", "an attribution hook threw " + failure + " on an application thread (the"
                        + " application carried on); attribution is off for the rest of this JVM (reported once)");
                settleSoon("a hook failed");
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            broken = true;
        }
    }

    private void settleSoon(String why) {
        reason = why;
        if (switching.compareAndSet(false, true)) {
            Thread t = new Thread(this::settle, "headroom-who");
            t.setDaemon(true);
            t.start();
        }
    }

    /** Brings the installation in line with {@link #isOn()}, again if a switch came in meanwhile. */
    private void settle() {
        do {
            try {
                while (isOn() != installed) {
                    if (isOn()) {
                        switchOn(reason);
                    } else {
                        switchOff(reason);
                    }
                }
            } catch (Throwable t) {
                broken = true;
                report("error", "attribution failed: " + t);
            } finally {
                switching.set(false);
            }
        } while (isOn() != installed && switching.compareAndSet(false, true));
    }

    private void switchOn(String why) {
        long start = System.nanoTime();
        String heapState;
        try {
            Class<?> h = Instrumenter.bootHook(instrumentation);
            warmUpHooks();
            DirectSites d = new DirectSites();
            ThreadSites t = new ThreadSites();
            ZlibSites z = new ZlibSites();
            ClassSites c = new ClassSites();
            h.getField("direct").set(null, d);
            h.getField("thread").set(null, t);
            h.getField("zlib").set(null, z);
            h.getField("zlibEnd").set(null, z);
            h.getField("classes").set(null, c);
            hook = h;
            direct = d;
            threads = t;
            zlib = z;
            classes = c;
            instrumenter = Instrumenter.install(instrumentation);
            // Last: Byte Buddy's work above allocates much, and need not pass through the recording.
            heapState = startHeap();
        } catch (Throwable t) {
            broken = true;
            clearHooks();
            stopHeap();
            direct = null;
            threads = null;
            zlib = null;
            classes = null;
            events.error("who", "attribution could not switch on (" + t + "); it stays off for the rest of this JVM"
                    + " and the application runs unchanged (reported once)");
            return;
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        onSinceNanos = System.nanoTime();
        installed = true;
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("reason", why);
        f.put("millis", millis);
        f.put("heap", heapState);
        events.emit("who_on", f, String.format(Locale.ROOT, "who is growing: attribution on (%s) in %d ms:"
                + " DirectByteBuffer(int), Thread.start(), Deflater/Inflater streams and class definition instrumented;"
                + " heap by JFR: %s", why, millis, heapState));
    }

    /**
     * Loads, links and initialises every class the hooks' paths use, here on the switching thread and
     * before any hook is set, by running each path once on throwaway tables. A hook runs on an
     * application thread, sometimes inside a JDK monitor: {@code ZipFile.getInputStream} constructs
     * its {@code Inflater} holding the {@code ZipFile}'s. Loading a class there takes the class
     * loader's lock for that name and then, to search the class path, the monitor of every jar before
     * the agent's; a second thread loading the same class (another hook, JFR's consumer) holds that
     * lock and waits for the jar's monitor: a deadlock, most likely the one that stalled the sampler
     * behind it in {@code ZipFile.getEntry} for good in a CI run of the metaspace leak (no thread dump
     * of it was taken; the stall report named only the sampler's frames). Frames' static set-up also
     * spins lambdas, i.e. defines classes: done here, or the first hook to run would set it up on an
     * application thread and re-enter the class hook while it is half made.
     */
    static void warmUpHooks() throws ClassNotFoundException {
        Frames.initialize();
        SiteTable.warmUp();
        DirectSites.warmUp();
        ThreadSites.warmUp();
        ZlibSites.warmUp();
        ClassSites.warmUp();
    }

    /**
     * Starts the JFR recording for heap sites, unless it failed before or the runtime has no
     * {@code jdk.jfr} (checked first, so {@link HeapSites} and JFR's classes are never loaded then).
     * A failure is reported once and leaves the other kinds on. Returns what the {@code who_on} event says.
     */
    private String startHeap() {
        if (heapBroken.get()) {
            return "off (it failed before)";
        }
        if (ModuleLayer.boot().findModule("jdk.jfr").isEmpty()) {
            return "off (this runtime has no jdk.jfr module)";
        }
        Optional<String> memory = JfrRepository.memoryBacked(JfrRepository.Jvm.REAL, HeapDumps.FileStores.REAL);
        if (memory.isPresent()) {
            return "off (" + memory.get() + ")";
        }
        try {
            HeapSites h = new HeapSites(this::heapFailed);
            heap = h;
            // Attribution counts as collecting once heap samples flow, so the first answer has them.
            boolean flushed = h.awaitFirstFlush(Duration.ofSeconds(5));
            if (heapBroken.get()) {
                heap = null; // its failure may have come before it was published here
                h.close();
                return "off (JFR failed: see the error event)";
            }
            return flushed ? "on" : "on (no JFR flush within 5 s)";
        } catch (Throwable t) {
            heapFailed(t);
            return "off (" + t + ")";
        }
    }

    /** From the switching thread or JFR's streaming thread: heap attribution off for good, reported once. */
    private void heapFailed(Throwable t) {
        if (!heapBroken.compareAndSet(false, true)) {
            return;
        }
        HeapSites h = heap;
        heap = null;
        events.error("who", "heap attribution by JFR failed (" + t + "); it stays off for the rest of this JVM,"
                + " the other kinds of attribution go on (reported once)");
        if (h != null) {
            // Not on JFR's streaming thread, which may be the one calling here.
            Thread closer = new Thread(h::close, "headroom-who-jfr-close");
            closer.setDaemon(true);
            closer.start();
        }
    }

    private void switchOff(String why) throws Exception {
        long start = System.nanoTime();
        clearHooks(); // the application's threads stop calling in before the classes change back
        installed = false;
        onSinceNanos = 0;
        Instrumenter i = instrumenter;
        instrumenter = null;
        direct = null;
        threads = null;
        zlib = null;
        classes = null;
        stopHeap();
        if (i != null) {
            i.remove();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("reason", why);
        f.put("millis", millis);
        events.emit("who_off", f, "who is growing: attribution off (" + why + ") in " + millis
                + " ms; the JDK classes have their original code back, the JFR recording is stopped");
    }

    private void stopHeap() {
        HeapSites h = heap;
        heap = null;
        if (h != null) {
            h.close();
        }
    }

    private void clearHooks() {
        Class<?> h = hook;
        if (h == null) {
            return;
        }
        try {
            for (String field : new String[]{"direct", "thread", "zlib", "zlibEnd", "classes"}) {
                h.getField(field).set(null, null);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            broken = true;
        }
    }

    private void report(String event, String message) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("where", "who");
        f.put("message", message);
        events.emit(event, f, message);
    }
}
