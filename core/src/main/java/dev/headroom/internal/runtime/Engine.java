package dev.headroom.internal.runtime;

import dev.headroom.Budget;
import dev.headroom.HeadroomConfig;
import dev.headroom.HeadroomListener;

/** What a {@code Headroom} handle delegates to: the running sampler, or a reader of another copy's MXBean. */
public interface Engine {
    HeadroomConfig config();

    Budget budget();

    Budget sampleNow();

    AutoCloseable addListener(HeadroomListener listener);

    void close();
}
