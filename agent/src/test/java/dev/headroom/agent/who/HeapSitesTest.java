package dev.headroom.agent.who;

import dev.headroom.agent.testsite.Site;
import dev.headroom.internal.governor.Attribution;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeapSitesTest {
    private static final List<byte[]> HELD = new ArrayList<>();

    @Test
    void allocationIsCreditedToTheAllocatingSiteFromJfrsTlabEvents() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        HeapSites heap = new HeapSites(failure::set);
        List<Attribution.Site> top;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // a bound on a hang, not a timing
            do {
                allocate();
                Thread.sleep(50);
                top = heap.table().top(3);
            } while ((top.isEmpty() || !top.get(0).frame().startsWith(SITE)) && System.nanoTime() < deadline);
        } finally {
            heap.close();
            HELD.clear();
        }
        assertNull(failure.get());
        assertTrue(heap.events() > 0, "JFR delivered allocation events");
        assertTrue(top.get(0).frame().startsWith(SITE), top.toString());
        assertEquals("allocatedBytes", top.get(0).unit());
        long after = heap.events();
        Thread.sleep(1500); // longer than JFR's flush interval: a stream still running would deliver more
        allocate();
        HELD.clear();
        assertEquals(after, heap.events(), "closed: nothing more is credited, even from a backlog JFR still dispatches");
    }

    private static final String SITE = Site.class.getName() + ".call (line ";

    /** From an application frame ({@link Site#call}): 4 MiB, more than any TLAB here, so some of it is seen. */
    private static void allocate() {
        Site.call(() -> {
            for (int i = 0; i < 64; i++) {
                HELD.add(new byte[64 * 1024]);
            }
            return null;
        });
    }
}
