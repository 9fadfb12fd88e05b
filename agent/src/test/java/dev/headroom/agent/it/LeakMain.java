package dev.headroom.agent.it;

import dev.headroom.testkit.workload.Workload;

import java.util.Arrays;

/**
 * The leaking application of the end-to-end tests: waits {@code DELAY_MS} (an application runs a while
 * before it leaks, and the agent has taken its first samples), registers a shutdown hook that prints
 * {@value #HOOK_LINE} (seen only on an orderly exit, never after SIGKILL), then runs
 * {@link Workload} with the remaining arguments.
 */
public final class LeakMain {
    static final String HOOK_LINE = "SHUTDOWN HOOK RAN";

    private LeakMain() {
    }

    public static void main(String[] args) throws Exception {
        long delay = Long.parseLong(args[0]);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println(HOOK_LINE);
            System.out.flush();
        }, "leak-main-hook"));
        Thread.sleep(delay);
        Workload.main(Arrays.copyOfRange(args, 1, args.length));
    }
}
