package dev.headroom.internal.clock;

/** The two clocks Headroom reads; tests pass a fake one. */
public interface Ticker {

    Ticker SYSTEM = new Ticker() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long currentTimeMillis() {
            return System.currentTimeMillis();
        }
    };

    /** Monotonic time for periods and rates. */
    long nanoTime();

    /** Wall time for event timestamps. */
    long currentTimeMillis();
}
