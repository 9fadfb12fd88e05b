package dev.headroom.agent.attach;

import dev.headroom.internal.runtime.JvmMarker;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How long {@code report --pid} waits for a running Headroom's MXBean, from the target's marker. */
class JvmConnectionTest {

    @Test
    void waitsOneSamplingPeriodPlusGraceBoundedToTenSeconds() {
        assertEquals(1_000 + JvmConnection.MXBEAN_GRACE_MILLIS,
                JvmConnection.mxBeanWaitMillis(JvmMarker.owner(7, "loader", true, Duration.ofSeconds(1))));
        assertEquals(JvmConnection.MXBEAN_MAX_WAIT_MILLIS,
                JvmConnection.mxBeanWaitMillis(JvmMarker.owner(7, "loader", true, Duration.ofMinutes(5))));
        assertEquals(JvmConnection.MXBEAN_GRACE_MILLIS, JvmConnection.mxBeanWaitMillis("pid 7, loader [jmx]"),
                "an older Headroom's marker, without its interval");
    }

    @Test
    void doesNotWaitWhenNoMxBeanWillCome() {
        assertEquals(0, JvmConnection.mxBeanWaitMillis(JvmMarker.owner(7, "loader", false, Duration.ofSeconds(1))));
        assertEquals(0, JvmConnection.mxBeanWaitMillis(null));
    }
}
