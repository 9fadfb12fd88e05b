package dev.headroom.agent.attach;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import dev.headroom.internal.runtime.JvmMarker;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A connection to another JVM through the JDK's attach API ({@code jdk.attach}), with every failure
 * turned into an {@link AttachFailure} that says what happened and what to do. Loading this class
 * needs the {@code jdk.attach} module: call {@link AttachModule#available()} first
 * (not a method here: verifying this class loads the attach API's exception classes, which fails without it).
 */
public final class JvmConnection implements AutoCloseable {
    /** The MXBean a running Headroom registers (the runtime's {@code dev.headroom:type=Headroom}). */
    public static final String MXBEAN_NAME = "dev.headroom:type=Headroom";
    /** The system property a running Headroom claims in its JVM (the runtime's JvmMarker). */
    public static final String RUNNING_PROPERTY = JvmMarker.PROPERTY;
    /** Beyond the target's sampling period: time for its sample to run and register the MXBean. */
    static final long MXBEAN_GRACE_MILLIS = 2_000;
    /** The longest a report waits for the MXBean before taking a one-off sample instead. */
    static final long MXBEAN_MAX_WAIT_MILLIS = 10_000;

    private final TargetProcess target;
    private final VirtualMachine vm;

    private JvmConnection(TargetProcess target, VirtualMachine vm) {
        this.target = target;
        this.vm = vm;
    }

    /** Checks the target through {@code /proc} and attaches. */
    public static JvmConnection open(long pid) throws AttachFailure {
        TargetProcess target = TargetProcess.inspect(pid, Path.of("/proc"));
        // Refuse before the JDK's attach code, which reaches the target's /tmp by name (its
        // .java_pidN socket, and .attach_pidN when the target's cwd is not writable).
        TargetTmp.open(target.root(), pid).close();
        try {
            return new JvmConnection(target, VirtualMachine.attach(Long.toString(pid)));
        } catch (AttachNotSupportedException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("does not support the attach mechanism")) {
                throw new AttachFailure("JVM " + pid + " (" + target.command() + ") has attaching disabled"
                        + " (-XX:+DisableAttachMechanism); start it with -javaagent:headroom-agent.jar instead", e);
            }
            if (m.contains("doesn't respond") || m.contains("not ready")) {
                throw new AttachFailure("JVM " + pid + " (" + target.command() + ") did not answer the attach request: it may run with"
                        + " -XX:+DisableAttachMechanism, be too busy or hung, or have a different /tmp than this command"
                        + " can see (" + m + ")", e);
            }
            throw new AttachFailure("cannot attach to JVM " + pid + " (" + target.command() + "): " + m, e);
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("not secure") || m.contains("Permission denied") || m.contains("owned by")) {
                throw new AttachFailure("not allowed to attach to JVM " + pid + " (uid " + target.effectiveUid()
                        + "): run this as the JVM's user or as root (" + m + ")", e);
            }
            throw new AttachFailure("attaching to JVM " + pid + " failed: " + m, e);
        } catch (RuntimeException e) {
            throw new AttachFailure("attaching to JVM " + pid + " failed: " + e, e);
        }
    }

    public TargetProcess target() {
        return target;
    }

    /** The target's system properties (nothing is loaded into it to read them). */
    public Properties systemProperties() throws AttachFailure {
        try {
            return vm.getSystemProperties();
        } catch (IOException e) {
            throw new AttachFailure("reading the system properties of JVM " + target.pid() + " failed: " + e.getMessage(), e);
        }
    }

    /** The target's Java feature release ({@code java.specification.version}), or -1 when unknown. */
    public int javaFeatureVersion() throws AttachFailure {
        String v = systemProperties().getProperty("java.specification.version", "");
        try {
            return v.startsWith("1.") ? Integer.parseInt(v.substring(2)) : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Fails unless the target runs Java 17 or newer (Headroom's classes need it). */
    public void requireJava17() throws AttachFailure {
        int feature = javaFeatureVersion();
        if (feature >= 0 && feature < 17) {
            throw new AttachFailure("JVM " + target.pid() + " runs Java " + feature + "; Headroom needs Java 17 or newer in the target");
        }
    }

    /** Loads {@code jar} as an agent into the target: its {@code Agent-Class} runs {@code agentmain(args)}. */
    public void loadAgent(Path jar, String args) throws AttachFailure {
        try {
            vm.loadAgent(jar.toAbsolutePath().toString(), args);
        } catch (AgentInitializationException e) {
            throw new AttachFailure("the agent failed inside JVM " + target.pid() + " (agentmain returned " + e.returnValue()
                    + "); its stderr says why", e);
        } catch (AgentLoadException e) {
            throw new AttachFailure("JVM " + target.pid() + " could not load " + jar + ": " + e.getMessage()
                    + " (is the file readable by the JVM's user, and its path valid inside the JVM's container?)", e);
        } catch (IOException e) {
            throw new AttachFailure("loading the agent into JVM " + target.pid() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * The budget JSON of a Headroom already running in the target, read from its MXBean through the
     * target's local JMX connector (started if needed; it accepts local connections only). Empty when
     * no Headroom MXBean is registered there.
     *
     * <p>Headroom registers its MXBean only once the target's platform MBean server exists, and starting
     * the local JMX agent is often what creates it; Headroom then registers at its next sample. So when
     * {@code running} (the target's marker) says an MXBean will follow, this waits for it for one of the
     * target's sampling periods plus {@value #MXBEAN_GRACE_MILLIS} ms, at most {@value #MXBEAN_MAX_WAIT_MILLIS} ms.
     *
     * @param running the target's {@link #RUNNING_PROPERTY}
     */
    public Optional<String> runningHeadroomBudgetJson(String running) throws AttachFailure {
        String url;
        try {
            url = vm.startLocalManagementAgent();
        } catch (IOException e) {
            throw new AttachFailure("JVM " + target.pid() + " could not start its local JMX agent (no jdk.management.agent module?): "
                    + e.getMessage(), e);
        }
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(url))) {
            MBeanServerConnection server = connector.getMBeanServerConnection();
            ObjectName name = new ObjectName(MXBEAN_NAME);
            if (!awaitRegistered(server, name, mxBeanWaitMillis(running))) {
                return Optional.empty();
            }
            Object json = server.getAttribute(name, "BudgetJson");
            return Optional.ofNullable(json == null ? null : json.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AttachFailure("interrupted while waiting for " + MXBEAN_NAME + " in JVM " + target.pid(), e);
        } catch (Exception e) {
            // JMX throws a zoo of checked exceptions (MBeanException, ReflectionException, ...): all mean "could not read".
            throw new AttachFailure("reading " + MXBEAN_NAME + " in JVM " + target.pid() + " over local JMX failed: " + e, e);
        }
    }

    /** How long to wait for the MXBean of a Headroom whose marker is {@code running}; 0 when none will come. */
    static long mxBeanWaitMillis(String running) {
        if (!JvmMarker.announcesMxBean(running)) {
            return 0;
        }
        long period = JvmMarker.interval(running).map(Duration::toMillis).orElse(0L);
        return Math.min(period + MXBEAN_GRACE_MILLIS, MXBEAN_MAX_WAIT_MILLIS);
    }

    private static boolean awaitRegistered(MBeanServerConnection server, ObjectName name, long waitMillis)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (!server.isRegistered(name)) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    @Override
    public void close() {
        try {
            vm.detach();
        } catch (IOException ignored) {
            // the target went away; nothing to release here
        }
    }
}
