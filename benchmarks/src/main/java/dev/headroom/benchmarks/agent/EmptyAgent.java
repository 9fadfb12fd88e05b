package dev.headroom.benchmarks.agent;

import java.lang.instrument.Instrumentation;

/**
 * The floor every {@code -javaagent} pays: {@code java.instrument} loaded, a jar opened, a premain
 * called. {@link AgentOverhead} packs it into a jar of its own and measures Headroom against it.
 */
public final class EmptyAgent {
    private EmptyAgent() {
    }

    public static void premain(String args, Instrumentation instrumentation) {
        // nothing: the baseline
    }
}
