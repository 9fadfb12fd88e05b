package dev.headroom.agent.who.boot;

import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.ObjIntConsumer;
import java.util.function.ObjLongConsumer;

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
    /** Called with each new {@code Deflater}/{@code Inflater} stream reference and its native address; null when off. */
    public static volatile ObjLongConsumer<Object> zlib;
    /** Called with the native address of a zlib stream about to be ended (by {@code end()} or the cleaner); null when off. */
    public static volatile LongConsumer zlibEnd;
    /** Called with each class defined from bytes by a class loader or a {@code Lookup}; null when off. */
    public static volatile Consumer<Class<?>> classes;
    /** The first throwable a hook threw; the agent reports it once and switches off. */
    public static volatile Throwable failure;

    /**
     * Set while this thread runs the class hook: the bookkeeping may load an agent class, whose
     * definition would call the hook again.
     */
    private static final ThreadLocal<Boolean> IN_CLASS_HOOK = new ThreadLocal<>();

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

    public static void zlib(Object streamRef, long address) {
        ObjLongConsumer<Object> h = zlib;
        if (h != null) {
            try {
                h.accept(streamRef, address);
            } catch (Throwable t) {
                fail(t);
            }
        }
    }

    public static void zlibEnd(long address) {
        LongConsumer h = zlibEnd;
        if (h != null) {
            try {
                h.accept(address);
            } catch (Throwable t) {
                fail(t);
            }
        }
    }

    public static void classDefined(Class<?> defined) {
        Consumer<Class<?>> h = classes;
        if (h == null || defined == null || IN_CLASS_HOOK.get() != null) {
            return;
        }
        IN_CLASS_HOOK.set(Boolean.TRUE);
        try {
            h.accept(defined);
        } catch (Throwable t) {
            fail(t);
        } finally {
            IN_CLASS_HOOK.remove();
        }
    }

    private static void fail(Throwable t) {
        direct = null;
        thread = null;
        zlib = null;
        zlibEnd = null;
        classes = null;
        if (failure == null) {
            failure = t;
        }
    }
}
