package dev.headroom.internal.jmx;

import dev.headroom.Budget;
import dev.headroom.HeadroomConfig;
import dev.headroom.HeadroomEvent;
import dev.headroom.PressureLevel;
import dev.headroom.internal.json.PlainValues;
import dev.headroom.internal.report.ReportJson;
import dev.headroom.internal.runtime.HeadroomRuntime;

import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanNotificationInfo;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.Notification;
import javax.management.NotificationBroadcasterSupport;
import javax.management.ObjectName;
import javax.management.StandardEmitterMBean;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The MXBean {@code dev.headroom:type=Headroom}: the latest budget's figures, the governor's
 * counters, the whole budget as JSON, and a notification on every level change and event.
 * Notifications are handed to JMX listeners on their own thread ({@code headroom-jmx-notifications},
 * created only when a listener exists, bounded queue), so a slow JMX client never delays the sampler.
 * Notification user data holds JDK types only (maps, strings, numbers), so a listener in another
 * class loader, or a remote client, can read it.
 */
public final class JmxPublisher extends NotificationBroadcasterSupport implements HeadroomWritableMXBean, HeadroomRuntime.Publisher {
    public static final String OBJECT_NAME = "dev.headroom:type=Headroom";
    public static final String LEVEL_NOTIFICATION = "dev.headroom.level";
    public static final String EVENT_NOTIFICATION = "dev.headroom.event";

    private final HeadroomRuntime runtime;
    private final String owner;
    private final ObjectName name;
    private final AtomicLong sequence = new AtomicLong();
    private final ThreadPoolExecutor notifier;
    private MBeanServer server;
    private volatile Budget latest;

    private JmxPublisher(HeadroomRuntime runtime, String owner, ThreadPoolExecutor notifier) {
        super(notifier, new MBeanNotificationInfo(new String[] {LEVEL_NOTIFICATION}, Notification.class.getName(),
                "The pressure level changed; user data: previous, level, time, and the budget's figures "
                        + "(workingSetBytes, limitBytes, headroomBytes, growthBytesPerSecond, secondsToLimit)"),
                new MBeanNotificationInfo(new String[] {EVENT_NOTIFICATION}, Notification.class.getName(),
                        "An event-log event; user data: time, event, message, fields"));
        this.runtime = runtime;
        this.owner = owner;
        this.notifier = notifier;
        this.name = objectName();
    }

    public static ObjectName objectName() {
        try {
            return new ObjectName(OBJECT_NAME);
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Registers the MXBean (read-only unless {@code jmxWritable}) and hooks it to the runtime.
     * Returns null, having reported why, when it cannot be registered.
     */
    public static JmxPublisher register(HeadroomRuntime runtime, MBeanServer server, String owner) {
        ThreadPoolExecutor notifier = new ThreadPoolExecutor(0, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256), r -> {
            Thread t = new Thread(r, "headroom-jmx-notifications");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.DiscardOldestPolicy());
        JmxPublisher p = new JmxPublisher(runtime, owner, notifier);
        try {
            Object mbean = runtime.config().jmxWritable()
                    ? new StandardEmitterMBean(p, HeadroomWritableMXBean.class, true, p)
                    : new StandardEmitterMBean(p, HeadroomMXBean.class, true, p);
            server.registerMBean(mbean, p.name);
        } catch (InstanceAlreadyExistsException e) {
            runtime.diagnostics().once("jmx:exists", "MXBean " + OBJECT_NAME + " is already registered by someone else; "
                    + "Headroom runs without it");
            notifier.shutdown();
            return null;
        } catch (JMException | RuntimeException e) {
            runtime.diagnostics().failure("registering MXBean " + OBJECT_NAME, e);
            notifier.shutdown();
            return null;
        }
        p.server = server;
        runtime.addPublisher(p);
        Budget first = runtime.latest();
        if (first != null) {
            p.budget(first);
        }
        runtime.eventBus().subscribe(p::event);
        return p;
    }

    @Override
    public void budget(Budget budget) {
        latest = budget;
    }

    @Override
    public void levelChanged(PressureLevel previous, PressureLevel current, Budget budget) {
        latest = budget;
        Notification n = new Notification(LEVEL_NOTIFICATION, name, sequence.incrementAndGet(), budget.timeMillis(),
                "pressure " + current + " (was " + previous + ")");
        HashMap<String, Object> data = new HashMap<>();
        data.put("previous", previous.name());
        data.put("level", current.name());
        data.putAll(ReportJson.figures(budget));
        data.put("time", budget.timeMillis());
        n.setUserData(data);
        sendNotification(n);
    }

    private void event(HeadroomEvent e) {
        Notification n = new Notification(EVENT_NOTIFICATION, name, sequence.incrementAndGet(), e.timeMillis(), e.message());
        HashMap<String, Object> data = new HashMap<>();
        data.put("time", e.timeMillis());
        data.put("event", e.event());
        data.put("message", e.message());
        data.put("fields", PlainValues.map(e.fields()));
        n.setUserData(data);
        sendNotification(n);
    }

    private Budget current() {
        return latest;
    }

    @Override
    public String getLevel() {
        Budget b = current();
        return b == null ? PressureLevel.OK.name() : b.governor().level().name();
    }

    @Override
    public long getWorkingSetBytes() {
        Budget b = current();
        return b == null ? -1 : b.workingSetBytes();
    }

    @Override
    public long getLimitBytes() {
        Budget b = current();
        return b == null ? -1 : b.limitBytes().orElse(-1);
    }

    @Override
    public long getHeadroomBytes() {
        Budget b = current();
        return b == null ? -1 : Math.max(0, b.headroomBytes().orElse(-1));
    }

    @Override
    public double getGrowthBytesPerSecond() {
        Budget b = current();
        return b == null ? Double.NaN : b.growthBytesPerSecond().orElse(Double.NaN);
    }

    @Override
    public double getSecondsToLimit() {
        Budget b = current();
        return b == null ? Double.NaN : b.secondsToLimit().orElse(Double.NaN);
    }

    @Override
    public long getSoftLimitBytes() {
        Budget b = current();
        return b == null ? -1 : b.governor().softLimitBytes().orElse(-1);
    }

    @Override
    public boolean isOverSoftLimit() {
        Budget b = current();
        return b != null && b.governor().overSoftLimit();
    }

    @Override
    public long getActions() {
        Budget b = current();
        return b == null ? 0 : b.governor().actions();
    }

    @Override
    public long getBytesReturned() {
        Budget b = current();
        return b == null ? 0 : b.governor().bytesReturned();
    }

    @Override
    public long getGcCpuCapHits() {
        Budget b = current();
        return b == null ? 0 : b.governor().gcCpuCapHits();
    }

    @Override
    public long getHeapDumps() {
        Budget b = current();
        return b == null ? 0 : b.governor().heapDumps();
    }

    @Override
    public long getHeapDumpsRefused() {
        Budget b = current();
        return b == null ? 0 : b.governor().heapDumpsRefused();
    }

    @Override
    public long getSamples() {
        return runtime.samples();
    }

    @Override
    public long getSampleTimeMillis() {
        Budget b = current();
        return b == null ? 0 : b.timeMillis();
    }

    @Override
    public String getBudgetJson() {
        Budget b = current();
        return b == null ? "null" : ReportJson.toJson(b);
    }

    @Override
    public String getConfig() {
        return runtime.config().toString();
    }

    @Override
    public String getOwner() {
        return owner;
    }

    @Override
    public String sampleNow() {
        return ReportJson.toJson(runtime.sampleNow());
    }

    @Override
    public void setThresholds(String warnAt, String criticalAt) {
        HeadroomConfig.Size w = HeadroomConfig.Size.parse(warnAt);
        HeadroomConfig.Size c = HeadroomConfig.Size.parse(criticalAt);
        runtime.governor().setThresholds(w, c);
        runtime.events().emit("thresholds", Map.of("warnAt", w.toString(), "criticalAt", c.toString(), "by", "jmx"),
                "thresholds changed over JMX: warn at " + w + ", critical at " + c);
    }

    @Override
    public String who(String mode) {
        String m = mode == null ? "" : mode.trim().toLowerCase(Locale.ROOT);
        runtime.governor().whoMode(m);
        runtime.events().emit("who_mode", Map.of("mode", m, "by", "jmx"), "who is growing: attribution " + m + " (over JMX)");
        return runtime.governor().whoMode();
    }

    @Override
    public void close() {
        try {
            if (server != null && server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
        } catch (JMException | RuntimeException e) {
            runtime.diagnostics().failure("unregistering MXBean " + OBJECT_NAME, e);
        } finally {
            notifier.shutdownNow();
        }
    }
}
