package dev.headroom.agent.who;

import dev.headroom.internal.events.EventSink;
import dev.headroom.internal.governor.Attribution;

import java.lang.instrument.Instrumentation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The agent's {@link Attribution}: direct buffers and threads, by instrumentation. Until the first
 * {@link #on} it is this one small class: no transformer, no Byte Buddy class, no hook on the
 * bootstrap class path. Switching runs on a short-lived daemon
 * thread ({@code headroom-who}), never on the sampler's or the application's.
 *
 * <p>Containment: a failure to switch on removes whatever was installed, is reported once as an
 * {@code error} event, and leaves attribution off for the rest of the JVM's life; so does a hook that
 * threw on an application thread ({@link dev.headroom.agent.who.boot.WhoHook} swallows it there).
 */
public final class Who implements Attribution {
    private final Instrumentation instrumentation;
    private final AtomicBoolean switching = new AtomicBoolean();
    private volatile EventSink events = (event, fields, message) -> { };
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
        if (d != null) {
            put(out, "direct_buffers", d.drain().top(perComponent));
        }
        ThreadSites t = threads;
        if (t != null) {
            put(out, "thread_stacks", t.drain().top(perComponent));
        }
        return out;
    }

    private static void put(Map<String, List<Site>> out, String component, List<Site> sites) {
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
        try {
            Class<?> h = Instrumenter.bootHook(instrumentation);
            DirectSites d = new DirectSites();
            ThreadSites t = new ThreadSites();
            h.getField("direct").set(null, d);
            h.getField("thread").set(null, t);
            hook = h;
            direct = d;
            threads = t;
            instrumenter = Instrumenter.install(instrumentation);
        } catch (Throwable t) {
            broken = true;
            clearHooks();
            direct = null;
            threads = null;
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
        events.emit("who_on", f, String.format(Locale.ROOT, "who is growing: attribution on (%s) in %d ms:"
                + " DirectByteBuffer(int) and Thread.start() instrumented", why, millis));
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
        if (i != null) {
            i.remove();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("reason", why);
        f.put("millis", millis);
        events.emit("who_off", f, "who is growing: attribution off (" + why + ") in " + millis
                + " ms; the JDK classes have their original code back");
    }

    private void clearHooks() {
        Class<?> h = hook;
        if (h == null) {
            return;
        }
        try {
            h.getField("direct").set(null, null);
            h.getField("thread").set(null, null);
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
