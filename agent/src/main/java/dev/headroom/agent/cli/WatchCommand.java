package dev.headroom.agent.cli;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.HeadroomConfig;
import dev.headroom.PressureLevel;
import dev.headroom.agent.attach.AttachFailure;
import dev.headroom.agent.attach.TargetChannel;
import dev.headroom.agent.attach.TargetProcess;
import dev.headroom.internal.budget.BudgetAssembler;
import dev.headroom.internal.budget.BudgetSampler;
import dev.headroom.internal.channel.ChannelProtocol;
import dev.headroom.internal.clock.Ticker;
import dev.headroom.internal.governor.PressureLevels;
import dev.headroom.internal.governor.Thresholds;
import dev.headroom.internal.report.ReportFrame;
import dev.headroom.internal.watch.Watch;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code report --watch} (also {@code top}): the budget redrawn every {@code --interval} (default 2 s)
 * until Ctrl-C, or for {@code --count N} frames. Each frame is {@link ReportFrame}: the level, the
 * binding limit, growth and time to the limit, every limit and the largest components.
 *
 * <ul>
 *   <li>This container and JVM (no {@code --pid}): one sampler and one watch kept open across frames,
 *       so growth and time to the limit build up as in a running Headroom; the level is judged at
 *       the default {@code warnAt} and {@code criticalAt}, with the same hysteresis.</li>
 *   <li>{@code --pid PID}: the frame the running Headroom there draws from its latest budget, with its
 *       own level and trend, read from its channel; no attach, so it works from a JRE.</li>
 * </ul>
 */
final class WatchCommand {
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    /** Shortest interval: a frame costs a full sample locally; faster than this reads as flicker anyway. */
    static final Duration MIN_INTERVAL = Duration.ofMillis(100);

    /** Where frames come from. */
    interface Frames extends AutoCloseable {
        /** What the header says is being watched. */
        String what();

        String next() throws AttachFailure;

        @Override
        default void close() {
        }
    }

    private WatchCommand() {
    }

    static int run(Frames frames, Duration interval, long count, PrintStream out, PrintStream err, boolean terminal) {
        WatchScreen screen = new WatchScreen(out, terminal);
        // Ctrl-C runs shutdown hooks: the terminal gets its cursor back even then.
        Thread restore = new Thread(screen::end, "headroom-watch-restore");
        boolean hooked = addHook(restore);
        try (frames) {
            for (long n = 1; count <= 0 || n <= count; n++) {
                long start = System.nanoTime();
                String body;
                try {
                    body = frames.next();
                } catch (AttachFailure e) {
                    screen.end();
                    err.println("report --watch: " + e.getMessage());
                    return HelpCommand.FAILED;
                }
                screen.frame(header(frames.what(), interval, n, count), body);
                if (count > 0 && n == count) {
                    break;
                }
                long wait = interval.toNanos() - (System.nanoTime() - start);
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            return HelpCommand.OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return HelpCommand.OK;
        } finally {
            screen.end();
            if (hooked) {
                try {
                    Runtime.getRuntime().removeShutdownHook(restore);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or has run: the screen is restored either way
                }
            }
        }
    }

    private static boolean addHook(Thread hook) {
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            return true;
        } catch (IllegalStateException | SecurityException e) {
            return false;
        }
    }

    /** {@code headroom  JVM 4242 (java -jar app.jar)  every 2s  frame 3/10  14:02:11}, at most 100 columns. */
    static String header(String what, Duration interval, long n, long count) {
        String tail = "  every " + format(interval) + "  frame " + n + (count > 0 ? "/" + count : "") + "  "
                + LocalTime.now().truncatedTo(ChronoUnit.SECONDS);
        String head = "headroom  " + what;
        int room = 94 - tail.length();
        if (head.length() > room) {
            head = head.substring(0, Math.max(0, room - 3)) + "...";
        }
        return head + tail;
    }

    private static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** This container and JVM, sampled here. */
    static Frames local(Path root) {
        return new Frames() {
            private final HeadroomConfig defaults = HeadroomConfig.defaults();
            private final BudgetSampler sampler = BudgetSampler.open(root, Ticker.SYSTEM, BudgetAssembler.Settings.defaults(), 1);
            private final Watch watch = new Watch(root, DEFAULT_INTERVAL.toNanos(), false, null);
            private final PressureLevels levels = new PressureLevels();
            private GovernorState state = GovernorState.initial();

            @Override
            public String what() {
                return "this container (levels at " + defaults.warnAt() + "/" + defaults.criticalAt() + ")";
            }

            @Override
            public String next() {
                long now = System.nanoTime();
                Budget b = sampler.sample(state);
                watch.refresh(now);
                b = b.withConstraints(watch.rebase(b, List.of(defaults.warnAt(), defaults.criticalAt())));
                PressureLevel level = levels.update(Thresholds.warnRatio(defaults.warnAt(), b),
                        Thresholds.ratio(defaults.criticalAt(), b), now);
                state = state.withLevel(level);
                return ReportFrame.render(b.withGovernor(state));
            }

            @Override
            public void close() {
                watch.close();
                sampler.close();
            }
        };
    }

    /** Another JVM's frames, from its Headroom's channel. */
    static Frames remote(long pid) throws AttachFailure {
        TargetProcess target = TargetProcess.find(pid, Path.of("/proc"));
        TargetChannel channel = TargetChannel.find(target).orElseThrow(() -> new AttachFailure(RemoteReportCommand.noChannel(target)
                + "; --watch reads a running Headroom's channel only: `java -jar headroom-agent.jar attach " + pid
                + "` starts Headroom there (with a JDK), or start that JVM with -javaagent:headroom-agent.jar"));
        return new Frames() {
            @Override
            public String what() {
                return "JVM " + pid + " (" + target.command() + ")";
            }

            @Override
            public String next() throws AttachFailure {
                return channel.request(ChannelProtocol.FRAME);
            }
        };
    }
}
