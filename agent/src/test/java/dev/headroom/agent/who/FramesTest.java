package dev.headroom.agent.who;

import dev.headroom.agent.testsite.Site;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FramesTest {
    @Test
    void aClassDefinitionSiteSkipsTheLoadersOwnFrames() {
        Site.Loader loader = new Site.Loader(getClass().getClassLoader());
        String site = Site.call(() -> loader.inside(Frames::requestingSite));
        assertTrue(site.startsWith(Site.class.getName() + ".call (Site.java:"), site);
        String ordinary = Site.call(() -> loader.inside(Frames::callerSite));
        assertTrue(ordinary.startsWith(Site.Loader.class.getName() + ".inside (Site.java:"), "an ordinary site is the nearest application frame: " + ordinary);
    }

    @Test
    void describeLeavesOutWhatIsUnknown() {
        assertEquals("a.B.m (B.java:3)", Frames.describe("a.B", "m", "B.java", 3));
        assertEquals("a.B.m (line 3)", Frames.describe("a.B", "m", null, 3));
        assertEquals("a.B.m", Frames.describe("a.B", "m", null, -1));
    }
}
