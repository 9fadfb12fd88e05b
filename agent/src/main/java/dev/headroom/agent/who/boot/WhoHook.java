package dev.headroom.agent.who.boot;

import java.util.function.Consumer;
import java.util.function.ObjIntConsumer;

/**
 * The one class the instrumented JDK code calls. It is put on the bootstrap class path when
 * attribution first switches on (never earlier, and never loaded from the agent's own class loader),
 * because code in {@code java.base} sees only bootstrap classes. It names JDK types only, so it needs
 * nothing else there. A hook that throws is dropped for good and the throwable kept for the agent to
 * report: the application's allocation or thread start carries on as if nothing were installed.
 */
public final class WhoHook {
    /** Called with each new {@code DirectByteBuffer(int)} and its capacity; null when off. */
    public static volatile ObjIntConsumer<Object> direct;
    /** Called with each thread after {@code Thread.start()} returned; null when off. */
    public static volatile Consumer<Thread> thread;
    /** The first throwable a hook threw; the agent reports it once and switches off. */
    public static volatile Throwable failure;

    private WhoHook() {
    }

    public static void direct(Object buffer, int capacity) {
        ObjIntConsumer<Object> h = direct;
        if (h != null) {
            try {
                h.accept(buffer, capacity);
            } catch (Throwable t) {
                fail(t);
            }
        }
    }

    public static void thread(Thread started) {
        Consumer<Thread> h = thread;
        if (h != null) {
            try {
                h.accept(started);
            } catch (Throwable t) {
                fail(t);
            }
        }
    }

    private static void fail(Throwable t) {
        direct = null;
        thread = null;
        if (failure == null) {
            failure = t;
        }
    }
}
