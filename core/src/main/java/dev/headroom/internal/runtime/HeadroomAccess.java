package dev.headroom.internal.runtime;

import java.util.Objects;
import java.util.function.BiFunction;

/**
 * Lets Headroom's own modules (the agent) start {@code dev.headroom.Headroom} with non-default
 * {@link HeadroomRuntime.Parts} without making that a public API: {@code Headroom} registers its
 * package-private starter here when its class initialises.
 */
public final class HeadroomAccess {
    private static volatile BiFunction<dev.headroom.HeadroomConfig, HeadroomRuntime.Parts, Object> starter;

    private HeadroomAccess() {
    }

    public static void setStarter(BiFunction<dev.headroom.HeadroomConfig, HeadroomRuntime.Parts, Object> s) {
        starter = Objects.requireNonNull(s);
    }

    /** {@code Headroom.start(config, parts)}; returns the {@code Headroom}. */
    public static Object start(dev.headroom.HeadroomConfig config, HeadroomRuntime.Parts parts) {
        try {
            Class.forName("dev.headroom.Headroom", true, HeadroomAccess.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        return starter.apply(config, parts);
    }
}
