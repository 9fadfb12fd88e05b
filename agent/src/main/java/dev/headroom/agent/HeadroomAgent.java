package dev.headroom.agent;

import dev.headroom.HeadroomConfig;
import dev.headroom.agent.attach.OneShotReport;
import dev.headroom.agent.who.Who;
import dev.headroom.internal.config.Values;
import dev.headroom.internal.runtime.HeadroomAccess;
import dev.headroom.internal.runtime.HeadroomRuntime;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The {@code -javaagent} entry. It does almost nothing on the application's main thread: reads the
 * options, prints one line per bad option, and hands the start to a daemon thread
 * ({@code headroom-start}); it never throws and loads no logging framework and no application
 * class. It stays out of JDK tools (jcmd, javac, jps, ...) that inherited
 * {@code JAVA_TOOL_OPTIONS}, unless {@code attachToTools=true}, and out of this jar's own command
 * line ({@code java -jar headroom-agent.jar report} in a container whose {@code JAVA_TOOL_OPTIONS}
 * carries the agent), silently. A second copy of the agent in the same JVM says so and does nothing.
 */
public final class HeadroomAgent {
    /** Set JVM-wide by the first copy of the agent, whatever class loader or jar it came from. */
    static final String LOADED_PROPERTY = "dev.headroom.agent.loaded";
    /** Under JBoss Modules, the MXBean waits this long: the platform MBean server initialises JUL. */
    static final long JBOSS_JMX_DELAY_SECONDS = 10;

    private static final AtomicBoolean STARTED = new AtomicBoolean();
    /**
     * Kept for attribution ({@code who=}) and {@code log=slf4j} (the loaded classes, among them the
     * application's SLF4J in any class loader); null when the JVM gave none.
     */
    private static volatile Instrumentation instrumentation;

    private HeadroomAgent() {
    }

    public static void premain(String args, Instrumentation instrumentation) {
        HeadroomAgent.instrumentation = instrumentation;
        start(args, System.err, false);
    }

    public static void premain(String args) {
        start(args, System.err, false);
    }

    public static void agentmain(String args, Instrumentation instrumentation) {
        if (!isOneShot(args)) {
            HeadroomAgent.instrumentation = instrumentation;
        }
        start(args, System.err, true);
    }

    public static void agentmain(String args) {
        start(args, System.err, true);
    }

    /**
     * {@link OneShotReport#handles}, without loading that class (and its patterns) into every JVM the
     * agent starts in: {@code ARG_PREFIX} is a constant, inlined here.
     */
    private static boolean isOneShot(String args) {
        return args != null && args.startsWith(OneShotReport.ARG_PREFIX);
    }

    /** {@link #start(String, PrintStream, boolean)} at JVM start ({@code -javaagent}). */
    static boolean start(String args, PrintStream err) {
        return start(args, err, false);
    }

    /**
     * Returns whether a start was handed off; never throws.
     *
     * @param attached loaded into a running JVM ({@code agentmain}), where {@code report --pid}'s
     *                 internal one-shot request is accepted; on the command line it is refused
     */
    static boolean start(String args, PrintStream err, boolean attached) {
        try {
            if (isOneShot(args)) {
                if (!attached) {
                    err.println("[headroom] " + OneShotReport.ARG_PREFIX + "... is internal to `report --pid` and is refused"
                            + " in -javaagent arguments; Headroom was not started: remove it to start Headroom");
                    return false;
                }
                // report --pid: write one report and return; no sampler, no governor, no marker.
                OneShotReport.run(args);
                return false;
            }
            if (!attached && isOwnCommandLine(System.getProperty("sun.java.command"), ownJar())) {
                // The JVM runs report/version/help: a runtime here would sample, warn and exit in the
                // tool instead of the application, and print into its output. Silent, as for JDK tools.
                return false;
            }
            String version = String.valueOf(HeadroomAgent.class.getPackage().getImplementationVersion());
            String self = "agent " + version + " from " + location();
            if (!STARTED.compareAndSet(false, true)) {
                err.println("[headroom] the agent was given twice in this JVM; the second one does nothing");
                return false;
            }
            Object earlier = System.getProperties().putIfAbsent(LOADED_PROPERTY, self);
            if (earlier != null) {
                err.println("[headroom] another copy of the agent is already loaded in this JVM (" + earlier
                        + "); this one (" + self + ") does nothing");
                return false;
            }
            HeadroomConfig.Loaded loaded = HeadroomConfig.load(args, systemProperties(), System.getenv());
            HeadroomConfig config = loaded.config();
            String command = System.getProperty("sun.java.command");
            String tool = JdkTools.toolName(command, System.getProperty("jdk.module.main"));
            if (tool != null && !config.attachToTools()) {
                // Silent on purpose: every jcmd/javac run would print it otherwise.
                return false;
            }
            for (String problem : loaded.problems()) {
                err.println("[headroom] " + Values.printable(problem));
            }
            // Everything else (the runtime's parts, the MXBean, the first sample) happens on the
            // starter thread; a named class rather than a lambda keeps java.lang.invoke off this one.
            Thread starter = new Thread(new Starter(config, err, JdkTools.jbossModules(command)), "headroom-start");
            starter.setDaemon(true);
            starter.start();
            return true;
        } catch (Throwable t) {
            try {
                err.println("[headroom] agent failed: " + t + "; the application runs without Headroom");
            } catch (Throwable ignored) {
                // nowhere left to report
            }
            return false;
        }
    }

    /** Builds the runtime and starts it, off the application's main thread; never throws. */
    static final long START_DELAY_SECONDS = 1;

    private static final class Starter implements Runnable {
        private final HeadroomConfig config;
        private final PrintStream err;
        private final boolean jbossModules;

        Starter(HeadroomConfig config, PrintStream err, boolean jbossModules) {
            this.config = config;
            this.err = err;
            this.jbossModules = jbossModules;
        }

        @Override
        public void run() {
            try {
                // Headroom starts after the application's first second: its classes, its readers and
                // its first budget do not compete with the application's own start-up. (A library
                // copy the application starts meanwhile is found and reused, as always.)
                Thread.sleep(TimeUnit.SECONDS.toMillis(START_DELAY_SECONDS));
                HeadroomRuntime.Parts parts = HeadroomRuntime.Parts.production().err(err);
                if (!config.who().equals("off") || config.jmxWritable()) {
                    parts.attribution(Who.create(instrumentation));
                }
                if (jbossModules) {
                    parts.jmxDelay(TimeUnit.SECONDS.toNanos(JBOSS_JMX_DELAY_SECONDS));
                }
                Instrumentation inst = instrumentation;
                if (inst != null) {
                    // Called on the sampler thread only, rarely (log=slf4j): never on the application's.
                    parts.loadedClasses(new Supplier<Class<?>[]>() { // a class, not a lambda: see HeadroomRuntime
                        @Override
                        public Class<?>[] get() {
                            return inst.getAllLoadedClasses();
                        }
                    });
                }
                HeadroomAccess.start(config, parts);
            } catch (Throwable t) {
                err.println("[headroom] could not start: " + t + "; the application runs without Headroom");
            }
        }
    }

    /**
     * Whether {@code sun.java.command} (the main class or jar, then the arguments, space-separated) is
     * this jar's command line: its {@code Main} class, or a jar that is this agent's jar or carries its
     * file name (another copy of the agent jar, e.g. a download beside the image's). premain runs
     * before main, so this is the only way to know; it only compares names and, for a jar of another
     * name, stats two files.
     *
     * @param ownJar the jar this class was loaded from; null when it came from no jar
     */
    static boolean isOwnCommandLine(String javaCommand, Path ownJar) {
        if (javaCommand == null) {
            return false;
        }
        String command = javaCommand.trim();
        if (command.equals(Main.class.getName()) || command.startsWith(Main.class.getName() + " ")) {
            return true;
        }
        if (ownJar == null) {
            return false;
        }
        if (command.equals(ownJar.toString()) || command.startsWith(ownJar + " ")) {
            return true; // also when the jar's path holds a space
        }
        String first = command.split("\\s+", 2)[0];
        if (!first.endsWith(".jar")) {
            return false; // a main class: -jar puts the jar's path first
        }
        try {
            Path launched = Path.of(first);
            return launched.getFileName().equals(ownJar.getFileName()) || Files.isSameFile(launched, ownJar);
        } catch (IOException | RuntimeException e) {
            return false; // not a file that exists: not this jar
        }
    }

    private static Path ownJar() {
        try {
            Path p = Path.of(HeadroomAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(p) ? p : null;
        } catch (Exception e) {
            return null;
        }
    }

    private static String location() {
        try {
            return String.valueOf(HeadroomAgent.class.getProtectionDomain().getCodeSource().getLocation());
        } catch (RuntimeException e) {
            return "unknown location";
        }
    }

    private static Map<String, String> systemProperties() {
        Map<String, String> out = new HashMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("headroom.")) {
                out.put(name, System.getProperty(name));
            }
        }
        return out;
    }
}
