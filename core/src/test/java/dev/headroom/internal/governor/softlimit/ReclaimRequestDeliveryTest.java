package dev.headroom.internal.governor.softlimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headroom.HeadroomListener;
import dev.headroom.ReclaimRequest;
import dev.headroom.internal.clock.Ticker;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.events.EventBus;
import dev.headroom.internal.events.ListenerDispatcher;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Reclaim requests reach listeners on the listener thread, and a listener that throws harms no one. */
class ReclaimRequestDeliveryTest {

    @Test
    void requestsReachListenersOffTheCallingThreadAndAThrowingListenerIsIsolated() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Diagnostics d = new Diagnostics(new PrintStream(err, true, StandardCharsets.UTF_8), false);
        ListenerDispatcher listeners = new ListenerDispatcher(d, "headroom-listeners");
        EventBus bus = new EventBus(Ticker.SYSTEM, d, null, listeners);
        ReclaimRequest request = new ReclaimRequest(64L << 20, ReclaimRequest.Level.SOFT_LIMIT, "above the soft limit",
                600L << 20, OptionalLong.of(500L << 20));
        assertFalse(bus.reclaimRequest(request), "nobody listens yet");

        CopyOnWriteArrayList<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch twice = new CountDownLatch(2);
        listeners.add(new HeadroomListener() {
            @Override
            public void onReclaimRequest(ReclaimRequest r) {
                throw new IllegalStateException("cache is broken");
            }
        });
        listeners.add(new HeadroomListener() {
            @Override
            public void onReclaimRequest(ReclaimRequest r) {
                seen.add(Thread.currentThread().getName() + " " + r.level() + " " + r.bytesWanted());
                twice.countDown();
            }
        });
        assertTrue(bus.reclaimRequest(request));
        assertTrue(bus.reclaimRequest(request));
        assertTrue(twice.await(5, TimeUnit.SECONDS));
        assertEquals("headroom-listeners SOFT_LIMIT " + (64L << 20), seen.get(0));
        assertNotEquals(Thread.currentThread().getName(), "headroom-listeners");
        String out = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, out.split("cache is broken", -1).length - 1, "reported once: " + out);
        listeners.close();
    }

    @Test
    void aRequestIsValidated() {
        assertThrows(IllegalArgumentException.class,
                () -> new ReclaimRequest(-1, ReclaimRequest.Level.IDLE, "x", 0, OptionalLong.empty()));
        assertThrows(NullPointerException.class, () -> new ReclaimRequest(0, null, "x", 0, OptionalLong.empty()));
    }
}
