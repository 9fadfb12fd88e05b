package dev.headroom.agent.who;

import dev.headroom.internal.governor.Attribution;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded table of call sites and what each holds. At {@value #CAPACITY} sites the smallest is
 * evicted to make room (what it held is counted in {@link #evicted()}), so a program with endless
 * distinct sites costs at most a few KiB. Adding to a site is a {@link LongAdder} add; only a new
 * site takes the table's lock, and only when the table is full.
 */
final class SiteTable {
    static final int CAPACITY = 64;

    static final class Site {
        final String frame;
        final LongAdder amount = new LongAdder();

        Site(String frame) {
            this.frame = frame;
        }
    }

    private final ConcurrentHashMap<String, Site> sites = new ConcurrentHashMap<>();
    private final LongAdder evicted = new LongAdder();
    private final String unit;

    SiteTable(String unit) {
        this.unit = unit;
    }

    Site site(String frame) {
        Site s = sites.get(frame);
        if (s != null) {
            return s;
        }
        if (sites.size() >= CAPACITY) {
            evictSmallest();
        }
        return sites.computeIfAbsent(frame, Site::new);
    }

    private synchronized void evictSmallest() {
        if (sites.size() < CAPACITY) {
            return;
        }
        Site smallest = null;
        long least = Long.MAX_VALUE;
        for (Site s : sites.values()) {
            long v = s.amount.sum();
            if (v < least) {
                least = v;
                smallest = s;
            }
        }
        if (smallest != null && sites.remove(smallest.frame, smallest)) {
            evicted.add(Math.max(0, least));
        }
    }

    /** Runs every path of a table, eviction included, on a throwaway one ({@link Who#warmUpHooks}). */
    static void warmUp() {
        SiteTable t = new SiteTable("warm-up");
        for (int i = 0; i <= CAPACITY; i++) {
            t.site("warm-up " + i).amount.add(i);
        }
        t.top(1);
    }

    long evicted() {
        return evicted.sum();
    }

    int size() {
        return sites.size();
    }

    /** The {@code n} largest sites, with their share of what all sites hold; empty when nothing is held. */
    List<Attribution.Site> top(int n) {
        List<Attribution.Site> all = new ArrayList<>();
        long total = 0;
        for (Site s : sites.values()) {
            long v = s.amount.sum();
            if (v > 0) {
                all.add(new Attribution.Site(s.frame, v, unit, 0));
                total += v;
            }
        }
        all.sort((a, b) -> Long.compare(b.amount(), a.amount()));
        List<Attribution.Site> out = new ArrayList<>();
        for (int i = 0; i < Math.min(n, all.size()); i++) {
            Attribution.Site s = all.get(i);
            out.add(new Attribution.Site(s.frame(), s.amount(), unit, (double) s.amount() / total));
        }
        return out;
    }
}
