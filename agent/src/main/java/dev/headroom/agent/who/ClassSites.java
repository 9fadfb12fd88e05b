package dev.headroom.agent.who;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Live classes per defining site and class-loader class, the growth of metaspace. Every class defined
 * from bytes is counted (a definition parses and links a class file, far more than a stack walk, so
 * there is no sampling) and remembered by a weak reference, cleared when the class is unloaded, which
 * takes it back. JLS 12.7: "A class or interface may be unloaded if and only if its defining class
 * loader may be reclaimed by the garbage collector"; a hidden class defined without
 * {@code ClassOption.STRONG} may also be unloaded on its own once unreachable
 * ({@code Lookup.defineHiddenClass}). The site is the first application frame outside any class loader's own code
 * (the code that asked for the class, not {@code findClass}) followed by the defining loader's class,
 * {@code com.acme.Plugins.load (Plugins.java:42) [com.acme.PluginLoader]}.
 */
final class ClassSites implements Consumer<Class<?>> {
    static final int MAX_TRACKED = 1 << 16;

    private static final class Tracked extends WeakReference<Class<?>> {
        final SiteTable.Site site;

        Tracked(Class<?> defined, ReferenceQueue<Class<?>> queue, SiteTable.Site site) {
            super(defined, queue);
            this.site = site;
        }
    }

    private final SiteTable table = new SiteTable("liveClasses");
    private final ReferenceQueue<Class<?>> unloaded = new ReferenceQueue<>();
    private final Set<Tracked> tracked = ConcurrentHashMap.newKeySet();
    private final LongAdder defined = new LongAdder();

    @Override
    public void accept(Class<?> c) {
        defined.increment();
        if (tracked.size() >= MAX_TRACKED || Frames.headroomThread(Thread.currentThread().getName())) {
            return; // Headroom's own (Byte Buddy's, JFR's event classes at switch-on) are not the application's
        }
        record(c);
    }

    private void record(Class<?> c) {
        ClassLoader loader = c.getClassLoader();
        String site = Frames.requestingSite() + " [" + (loader == null ? "bootstrap" : loader.getClass().getName()) + "]";
        SiteTable.Site s = table.site(site);
        s.amount.increment();
        tracked.add(new Tracked(c, unloaded, s));
    }

    /** Runs a definition and the scan for unloaded classes on a throwaway instance ({@link Who#warmUpHooks}). */
    static void warmUp() {
        ClassSites c = new ClassSites();
        c.record(ClassSites.class);
        c.drain();
    }

    /** Takes back the classes unloaded since the last call; returns the table. */
    SiteTable drain() {
        Reference<?> r;
        while ((r = unloaded.poll()) != null) {
            Tracked t = (Tracked) r;
            if (tracked.remove(t)) {
                t.site.amount.decrement();
            }
        }
        return table;
    }

    long defined() {
        return defined.sum();
    }

    int tracked() {
        return tracked.size();
    }
}
