package dev.headroom.internal.jmx;

import dev.headroom.internal.runtime.HeadroomRuntime;

import javax.management.MBeanServer;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Registers the MXBean in the platform MBean server as soon as that server exists, and never creates
 * it (creating it costs a fresh JVM a few hundred ms of CPU; see
 * {@link dev.headroom.internal.jvm.PlatformServer}). It looks once when scheduled, then after every
 * sample until the server is there, then stops looking: one attempt, whose failure is reported once
 * by {@link JmxPublisher#register}. Whoever creates the server (a {@code -Dcom.sun.management.jmxremote}
 * agent, JConsole or {@code jcmd ManagementAgent.start} connecting, a framework, the application)
 * therefore sees the MXBean within one base sampling period ({@code interval}), whatever pace the
 * budget keeps (at rest it may sample every 8 periods). Runs on the sampler thread only.
 */
public final class PlatformRegistration implements Runnable {
    private final HeadroomRuntime runtime;
    private final Supplier<Optional<MBeanServer>> ifCreated;
    private final String owner;
    private final long periodNanos;
    private boolean done;

    private PlatformRegistration(HeadroomRuntime runtime, Supplier<Optional<MBeanServer>> ifCreated, String owner,
                                 long periodNanos) {
        this.runtime = runtime;
        this.ifCreated = ifCreated;
        this.owner = owner;
        this.periodNanos = periodNanos;
    }

    /**
     * Looks for the server {@code delayNanos} after now, on the sampler thread, and every
     * {@code interval} from then on until it is found.
     *
     * @param ifCreated the platform server if it has been created, without creating it
     */
    public static void schedule(HeadroomRuntime runtime, Supplier<Optional<MBeanServer>> ifCreated, String owner,
                                long delayNanos) {
        runtime.runLater(new PlatformRegistration(runtime, ifCreated, owner, runtime.config().interval().toNanos()), delayNanos);
    }

    /** One look; if the server is not there yet, the next in {@code periodNanos}: a list copy, no sample needed. */
    @Override
    public void run() {
        if (!tryRegister()) {
            runtime.runLater(this, periodNanos);
        }
    }

    /** True once the server was found (registered, or failed to and said why). */
    private boolean tryRegister() {
        if (done) {
            return true;
        }
        Optional<MBeanServer> server = ifCreated.get();
        if (server.isEmpty()) {
            return false;
        }
        done = true;
        JmxPublisher.register(runtime, server.get(), owner);
        return true;
    }
}
