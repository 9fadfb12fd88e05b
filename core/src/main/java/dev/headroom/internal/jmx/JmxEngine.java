package dev.headroom.internal.jmx;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.HeadroomConfig;
import dev.headroom.HeadroomEvent;
import dev.headroom.HeadroomListener;
import dev.headroom.PressureLevel;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.events.ListenerDispatcher;
import dev.headroom.internal.runtime.Engine;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * A handle onto a Headroom started by another class loader in this JVM (a Spring Boot fat jar
 * next to the agent): it reads that copy's MXBean instead of starting a second sampler. Limits:
 * budgets carry only the totals the MXBean publishes (working set, limit, headroom, growth, time to
 * limit, governor state), with no components or snapshots; {@code sampleNow} samples only when the
 * other copy's MXBean is writable, otherwise it returns its latest figures; listeners get level
 * changes and events (from the MXBean's notifications), never {@code onBudget}.
 */
public final class JmxEngine implements Engine {
    private static final String[] ATTRIBUTES = {"Level", "WorkingSetBytes", "LimitBytes", "HeadroomBytes",
        "GrowthBytesPerSecond", "SecondsToLimit", "SoftLimitBytes", "OverSoftLimit", "Actions", "BytesReturned",
        "GcCpuCapHits", "HeapDumps", "HeapDumpsRefused", "SampleTimeMillis", "Owner"};

    private final HeadroomConfig config;
    private final MBeanServer server;
    private final ObjectName name = JmxPublisher.objectName();
    private final Diagnostics diagnostics;
    private final ListenerDispatcher listeners;
    private NotificationListener subscription;

    public JmxEngine(HeadroomConfig config, MBeanServer server, Diagnostics diagnostics) {
        this.config = config;
        this.server = server;
        this.diagnostics = diagnostics;
        this.listeners = new ListenerDispatcher(diagnostics, "headroom-listeners");
    }

    /** True when another copy's MXBean is registered in {@code server}. */
    public static boolean present(MBeanServer server) {
        return server != null && server.isRegistered(JmxPublisher.objectName());
    }

    @Override
    public HeadroomConfig config() {
        return config;
    }

    @Override
    public Budget budget() {
        try {
            AttributeList list = server.getAttributes(name, ATTRIBUTES);
            Map<String, Object> a = new HashMap<>();
            for (Attribute at : list.asList()) {
                a.put(at.getName(), at.getValue());
            }
            return toBudget(a);
        } catch (JMException | RuntimeException e) {
            throw new IllegalStateException("cannot read the running Headroom's MXBean " + JmxPublisher.OBJECT_NAME
                    + ": " + Diagnostics.describe(e), e);
        }
    }

    @Override
    public Budget sampleNow() {
        try {
            if (server.getMBeanInfo(name).getOperations().length > 0) {
                server.invoke(name, "sampleNow", new Object[0], new String[0]);
            }
        } catch (JMException | RuntimeException e) {
            diagnostics.failure("sampleNow through the MXBean", e);
        }
        return budget();
    }

    @Override
    public synchronized AutoCloseable addListener(HeadroomListener listener) {
        AutoCloseable handle = listeners.add(listener);
        if (subscription == null) {
            NotificationListener l = this::notification;
            try {
                server.addNotificationListener(name, l, null, null);
                subscription = l;
            } catch (JMException | RuntimeException e) {
                diagnostics.failure("subscribing to the running Headroom's MXBean", e);
            }
        }
        return handle;
    }

    private void notification(Notification n, Object handback) {
        if (!(n.getUserData() instanceof Map<?, ?> data)) {
            return;
        }
        if (JmxPublisher.LEVEL_NOTIFICATION.equals(n.getType())) {
            PressureLevel previous = PressureLevel.valueOf(String.valueOf(data.get("previous")));
            PressureLevel current = PressureLevel.valueOf(String.valueOf(data.get("level")));
            listeners.levelChange(previous, current, budgetOrNull());
        } else if (JmxPublisher.EVENT_NOTIFICATION.equals(n.getType())) {
            Map<String, Object> fields = new LinkedHashMap<>();
            if (data.get("fields") instanceof Map<?, ?> f) {
                f.forEach((k, v) -> fields.put(String.valueOf(k), v));
            }
            Object time = data.get("time");
            listeners.event(new HeadroomEvent(time instanceof Number t ? t.longValue() : n.getTimeStamp(),
                    String.valueOf(data.get("event")), fields, String.valueOf(data.get("message"))));
        }
    }

    private Budget budgetOrNull() {
        try {
            return budget();
        } catch (IllegalStateException e) {
            return null;
        }
    }

    static Budget toBudget(Map<String, Object> a) {
        long limit = longOf(a.get("LimitBytes"));
        long headroom = longOf(a.get("HeadroomBytes"));
        long soft = longOf(a.get("SoftLimitBytes"));
        GovernorState state = new GovernorState(PressureLevel.valueOf(String.valueOf(a.getOrDefault("Level", "OK"))),
                soft < 0 ? OptionalLong.empty() : OptionalLong.of(soft), Boolean.TRUE.equals(a.get("OverSoftLimit")),
                longOf(a.get("Actions")), longOf(a.get("BytesReturned")), longOf(a.get("GcCpuCapHits")),
                longOf(a.get("HeapDumps")), longOf(a.get("HeapDumpsRefused")));
        // Totals only: no snapshots, components, sizing check or recommendation (the builder's unknowns).
        return Budget.builder()
                .timeMillis(longOf(a.get("SampleTimeMillis")))
                .workingSetBytes(Math.max(0, longOf(a.get("WorkingSetBytes"))))
                .limitBytes(limit < 0 ? OptionalLong.empty() : OptionalLong.of(limit))
                .headroomBytes(headroom < 0 ? OptionalLong.empty() : OptionalLong.of(headroom))
                .growthBytesPerSecond(doubleOf(a.get("GrowthBytesPerSecond")))
                .secondsToLimit(doubleOf(a.get("SecondsToLimit")))
                .governor(state)
                .errors(List.of("read from the MXBean of the Headroom running in " + a.get("Owner") + ": totals only"))
                .build();
    }

    private static long longOf(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    private static OptionalDouble doubleOf(Object o) {
        return o instanceof Number n && !Double.isNaN(n.doubleValue()) ? OptionalDouble.of(n.doubleValue()) : OptionalDouble.empty();
    }

    @Override
    public synchronized void close() {
        if (subscription != null) {
            try {
                server.removeNotificationListener(name, subscription);
            } catch (JMException | RuntimeException ignored) {
                // the other copy may already be gone
            }
            subscription = null;
        }
        listeners.close();
    }
}
