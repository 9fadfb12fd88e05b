package dev.headroom.internal.governor;

import dev.headroom.internal.events.EventSink;

import java.util.List;
import java.util.Map;

/**
 * Names the code behind growth: which call sites hold the direct buffers or started the threads. Core only defines it; the agent implements it (instrumentation needs the
 * agent's {@code Instrumentation} and Byte Buddy, which core must not depend on). The governor
 * switches it on at WARN and off when the level falls back ({@code who=auto}), and quotes its top
 * sites in its events. Until {@link #on} nothing of it may cost the application anything.
 *
 * <p>Every method is called on the sampler thread and must return at once: switching happens on a
 * thread of the implementation's own. None may throw; a failure is the implementation's to contain
 * and report.
 */
public interface Attribution {
    /** The library and the Spring starter: no instrumentation, nothing to say. */
    Attribution NONE = new Attribution() {
        @Override
        public void on(String why) {
        }

        @Override
        public void off(String why) {
        }

        @Override
        public boolean isOn() {
            return false;
        }

        @Override
        public long onForMillis() {
            return 0;
        }

        @Override
        public Map<String, List<Site>> top(int perComponent) {
            return Map.of();
        }
    };

    /** Where its switching, timings and failures are reported; called once, before the first sample. */
    default void reportTo(EventSink events) {
    }

    /** Switches attribution on (idempotent); {@code why} is said in its report line. */
    void on(String why);

    /**
     * The JVM is about to exit in order ({@code exitAt}): stops at once, on the calling thread, what
     * costs memory while attribution runs (a JFR stream), so that the last seconds of a memory death
     * are not shortened by it. Called on the exit thread; must not throw.
     */
    default void beforeExit() {
    }

    /** Switches it off and removes whatever it installed (idempotent). */
    void off(String why);

    /** Whether it is on, or switching on. */
    boolean isOn();

    /** How long it has been collecting since it last switched on; 0 when off or not yet installed. */
    long onForMillis();

    /**
     * The largest sites per budget component ({@code direct_buffers}, {@code thread_stacks}), largest first, at most {@code perComponent} each; empty when nothing was seen.
     */
    Map<String, List<Site>> top(int perComponent);

    /**
     * One call site: its first application frame ({@code com.acme.Store.put (Store.java:88)}), what it
     * holds ({@code unit}: {@code liveBytes} or {@code liveThreads}) since attribution
     * switched on, and its share of the component's total over all sites.
     */
    record Site(String frame, long amount, String unit, double share) {
    }
}
