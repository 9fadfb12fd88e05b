package dev.headroom.agent.who;

import java.lang.ref.WeakReference;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Live threads per creating site: every {@code Thread.start()} is counted (a thread costs far more
 * than a stack walk, so there is no sampling), and the thread is remembered weakly; when the table is
 * read, threads that ended are taken back. So a site holds the threads it started that still run.
 */
final class ThreadSites implements Consumer<Thread> {
    static final int MAX_TRACKED = 1 << 14;

    private static final class Tracked extends WeakReference<Thread> {
        final SiteTable.Site site;

        Tracked(Thread thread, SiteTable.Site site) {
            super(thread);
            this.site = site;
        }
    }

    private final SiteTable table = new SiteTable("liveThreads");
    private final Set<Tracked> tracked = ConcurrentHashMap.newKeySet();
    private final LongAdder started = new LongAdder();
    private final LongAdder ended = new LongAdder();

    @Override
    public void accept(Thread thread) {
        started.increment();
        if (tracked.size() >= MAX_TRACKED) {
            return;
        }
        SiteTable.Site site = table.site(Frames.callerSite());
        site.amount.increment();
        tracked.add(new Tracked(thread, site));
    }

    /** Runs a start and the scan for ended threads on a throwaway instance ({@link Who#warmUpHooks}). */
    static void warmUp() {
        ThreadSites t = new ThreadSites();
        t.accept(Thread.currentThread());
        t.drain();
    }

    /** Takes back the threads that ended since the last call; returns the table. */
    SiteTable drain() {
        for (Iterator<Tracked> it = tracked.iterator(); it.hasNext(); ) {
            Tracked t = it.next();
            Thread thread = t.get();
            if (thread == null || thread.getState() == Thread.State.TERMINATED) {
                it.remove();
                t.site.amount.decrement();
                ended.increment();
            }
        }
        return table;
    }

    long started() {
        return started.sum();
    }

    long ended() {
        return ended.sum();
    }
}
