package dev.headroom.internal.clock;

import java.util.concurrent.TimeUnit;

/** A clock that moves only when told. */
public final class FakeTicker implements Ticker {
    private volatile long nanos = TimeUnit.HOURS.toNanos(1);
    private volatile long epochMillis = 1_700_000_000_000L;

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public long currentTimeMillis() {
        return epochMillis;
    }

    public void advanceMillis(long millis) {
        nanos += TimeUnit.MILLISECONDS.toNanos(millis);
        epochMillis += millis;
    }

    public void advanceNanos(long n) {
        nanos += n;
        epochMillis += TimeUnit.NANOSECONDS.toMillis(n);
    }
}
