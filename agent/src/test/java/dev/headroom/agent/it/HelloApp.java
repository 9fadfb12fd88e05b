package dev.headroom.agent.it;

import java.util.logging.Handler;
import java.util.logging.Logger;

/**
 * The application the startup tests run under the agent. {@code hello}: prints two known lines (one
 * of them through java.util.logging, whose set-up the agent must not disturb) and returns from main,
 * so the JVM must end by itself (the agent's threads are daemons). {@code wait}: prints READY and
 * stays up for attach tests. {@code bundled}: starts its own Headroom at once (it must then have Headroom
 * on its class path), as an application that bundles it does, and stays up a few seconds. {@code oome
 * DELAY MIB}: registers a shutdown hook that prints HOOK, waits DELAY ms, then asks for one array of
 * MIB MiB, more than its {@code -Xmx}: {@code main} dies of {@code OutOfMemoryError: Java heap space}
 * at once, without touching memory.
 */
public final class HelloApp {
    private HelloApp() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "hello";
        if (mode.equals("bundled")) {
            // An application with its own copy of Headroom, started before the agent's start thread runs.
            dev.headroom.Headroom.start(dev.headroom.HeadroomConfig.parse("interval=2s"));
            System.out.println("STARTED");
            System.out.flush();
            Thread.sleep(Long.parseLong(args.length > 1 ? args[1] : "4000"));
            return;
        }
        if (mode.equals("oome")) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("HOOK")));
            Thread.sleep(Long.parseLong(args[1]));
            System.out.println("ALLOCATING");
            System.out.flush();
            byte[] tooLarge = new byte[Integer.parseInt(args[2]) << 20];
            System.out.println("allocated " + tooLarge.length);
            return;
        }
        if (mode.equals("wait")) {
            System.out.println("READY " + ProcessHandle.current().pid());
            System.out.flush();
            Thread.sleep(Long.parseLong(args.length > 1 ? args[1] : "120000"));
            return;
        }
        Logger root = Logger.getLogger("");
        StringBuilder handlers = new StringBuilder();
        for (Handler h : root.getHandlers()) {
            handlers.append(h.getClass().getName()).append(' ');
        }
        System.out.println("hello from the app; root log handlers: " + handlers.toString().trim()
                + "; logging manager: " + java.util.logging.LogManager.getLogManager().getClass().getName());
        Logger.getLogger("app").info("an application log line");
        System.out.println("goodbye from the app");
    }
}
