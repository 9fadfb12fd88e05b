package dev.headroom.agent.it;

import dev.headroom.Headroom;
import dev.headroom.HeadroomConfig;
import org.slf4j.LoggerFactory;

/**
 * The application of {@link Slf4jLogIT}: waits for the agent's Headroom, then initialises its SLF4J
 * (as an application configures logging, late), waits for the agent to find it, and makes the agent
 * emit one event ({@code options_not_applied}, by starting Headroom with other options), which must
 * reach SLF4J and not stderr.
 */
public final class Slf4jApp {
    private Slf4jApp() {
    }

    public static void main(String[] args) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (Headroom.current().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        LoggerFactory.getLogger("app").info("logging ready");
        // The agent looks every 2 s; twice that is room enough.
        Thread.sleep(4_000);
        Headroom.start(HeadroomConfig.parse("warnAt=11%"));
        Thread.sleep(1_000);
        System.out.println("DONE");
    }
}
