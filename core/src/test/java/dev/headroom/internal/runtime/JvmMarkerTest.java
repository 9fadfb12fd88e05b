package dev.headroom.internal.runtime;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JvmMarkerTest {

    @Test
    void aCopyWithTheMxBeanAnnouncesItAndItsInterval() {
        String marker = JvmMarker.owner(42, "app-loader", true, Duration.ofMillis(1500));
        assertEquals("pid 42, app-loader, interval 1500ms [jmx]", marker);
        assertTrue(JvmMarker.announcesMxBean(marker));
        assertEquals(Optional.of(Duration.ofMillis(1500)), JvmMarker.interval(marker));
        assertEquals(Optional.of(Duration.ofHours(1)), JvmMarker.interval(JvmMarker.owner(1, "l", true, Duration.ofHours(1))));
    }

    @Test
    void withoutTheMxBeanThereIsNothingToWaitFor() {
        String marker = JvmMarker.owner(42, "app-loader", false, Duration.ofSeconds(1));
        assertEquals("pid 42, app-loader", marker);
        assertFalse(JvmMarker.announcesMxBean(marker));
        assertEquals(Optional.empty(), JvmMarker.interval(marker));
        assertFalse(JvmMarker.announcesMxBean(null));
    }

    @Test
    void anOlderCopysMarkerHasNoInterval() {
        assertTrue(JvmMarker.announcesMxBean("pid 42, app-loader [jmx]"));
        assertEquals(Optional.empty(), JvmMarker.interval("pid 42, app-loader [jmx]"));
        assertEquals(Optional.empty(), JvmMarker.interval("pid 42, loader, interval soon [jmx]"));
    }
}
