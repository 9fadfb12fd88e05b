package dev.headroom.agent.who;

import dev.headroom.agent.testsite.Site;
import dev.headroom.agent.who.boot.WhoHook;
import dev.headroom.internal.governor.Attribution;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ZlibSitesTest {
    /**
     * The shape of the JDK's {@code Deflater$DeflaterZStreamRef} (17 to 25): {@code run()} is the cleanup
     * action, reached by {@code end()} through {@code Cleanable.clean()} and by the cleaner, and zeroes
     * the address before freeing.
     */
    public static final class StreamRef implements Runnable {
        private long address;

        public StreamRef(Object owner, long address) {
            this.address = address;
        }

        @Override
        public synchronized void run() {
            long a = address;
            address = 0;
            if (a != 0) {
                freed++;
            }
        }

        int freed;
    }

    @AfterEach
    void clearHook() {
        WhoHook.zlib = null;
        WhoHook.zlibEnd = null;
    }

    @Test
    void estimatesAreZlibsDocumentedRequirementsAtTheJdksParameters() {
        assertEquals(256 * 1024 + 6 * 1024, ZlibSites.DEFLATER_BYTES);
        assertEquals(32 * 1024 + 7 * 1024, ZlibSites.INFLATER_BYTES);
    }

    @Test
    void aStreamIsCreditedToItsCreatorAndTakenBackOnceHoweverOftenItsCleanupRuns() throws Exception {
        ZlibSites sites = new ZlibSites();
        WhoHook.zlib = sites;
        WhoHook.zlibEnd = sites;
        Class<?> advised = new ByteBuddy().redefine(StreamRef.class)
                .visit(Advice.to(ZlibAdvice.Created.class).on(isConstructor()))
                .visit(Advice.to(ZlibAdvice.Ended.class).on(named("run")))
                .make().load(new ClassLoader(getClass().getClassLoader()) { }, ClassLoadingStrategy.Default.CHILD_FIRST)
                .getLoaded();

        Runnable first = Site.call(() -> create(advised, 0x1000L));
        Runnable second = Site.call(() -> create(advised, 0x2000L));
        List<Attribution.Site> top = sites.table().top(3);
        assertEquals(1, top.size(), top.toString());
        assertTrue(top.get(0).frame().startsWith(Site.class.getName() + ".call (Site.java:"), top.toString());
        assertEquals(2 * ZlibSites.INFLATER_BYTES, top.get(0).amount(), "not a Deflater's ref: weighed as an inflater");
        assertEquals("liveZlibBytes", top.get(0).unit());

        first.run(); // end()
        first.run(); // and the cleaner, later: Cleanable runs once, but even a second run must not count
        assertEquals(ZlibSites.INFLATER_BYTES, sites.table().top(3).get(0).amount());
        assertEquals(1, sites.ended());
        assertEquals(1, sites.open());

        second.run();
        assertTrue(sites.table().top(3).isEmpty(), "nothing held once both ended");
        assertEquals(2, sites.created());
    }

    private static Runnable create(Class<?> ref, long address) {
        try {
            return (Runnable) ref.getConstructor(Object.class, long.class).newInstance(null, address);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void streamsOpenedBeforeSwitchOnAreIgnoredWhenTheyEnd() throws Exception {
        ZlibSites sites = new ZlibSites();
        sites.accept(0x3000L);
        assertEquals(0, sites.ended());
        assertTrue(sites.table().top(3).isEmpty());
    }

    @Test
    void aDeflaterIsWeighedAsADeflater() throws Exception {
        ZlibSites sites = new ZlibSites();
        // The real class, never instantiated here: only its identity matters to the weighing.
        Class<?> deflaterRef = Class.forName("java.util.zip.Deflater$DeflaterZStreamRef", false, null);
        assertEquals(ZlibSites.DEFLATER_BYTES, sites.weight(deflaterRef));
        assertEquals(ZlibSites.INFLATER_BYTES, sites.weight(StreamRef.class));
    }
}
