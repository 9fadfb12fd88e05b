package dev.headroom.agent.who;

import dev.headroom.agent.testsite.Site;
import dev.headroom.internal.governor.Attribution;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassSitesTest {
    /** Defined anew by each {@link Site.Loader}. */
    public static final class Defined {
    }

    private static byte[] bytes() {
        try (InputStream in = ClassSitesTest.class.getResourceAsStream("ClassSitesTest$Defined.class")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aClassIsNamedByTheCodeThatAskedForItAndItsLoadersClassAndTakenBackWhenUnloaded() throws Exception {
        ClassSites sites = new ClassSites();
        defineTwoAndDropTheLoaders(sites);
        List<Attribution.Site> top = sites.drain().top(3);
        assertEquals(1, top.size(), top.toString());
        Attribution.Site s = top.get(0);
        assertTrue(s.frame().startsWith(Site.class.getName() + ".call (Site.java:"), s.frame());
        assertTrue(s.frame().endsWith(" [" + Site.Loader.class.getName() + "]"), s.frame());
        assertEquals(2, s.amount());
        assertEquals("liveClasses", s.unit());

        // Unreachable loaders: their classes go with them at a full collection (Serial, Parallel and G1 all
        // unload classes at System.gc() by default), which clears the weak references.
        for (int i = 0; i < 50 && sites.tracked() > 0; i++) {
            System.gc();
            Thread.sleep(20);
            sites.drain();
        }
        assertEquals(0, sites.tracked(), "both classes were unloaded and taken back");
        assertTrue(sites.drain().top(3).isEmpty());
        assertEquals(2, sites.defined());
    }

    private static void defineTwoAndDropTheLoaders(ClassSites sites) {
        for (int i = 0; i < 2; i++) {
            Site.Loader loader = new Site.Loader(ClassSitesTest.class.getClassLoader());
            // As the advice does: inside the loader's call that defines the class, the application's call below it.
            Site.call(() -> loader.inside(() -> {
                sites.accept(loader.define(Defined.class.getName(), bytes()));
                return null;
            }));
        }
    }
}
