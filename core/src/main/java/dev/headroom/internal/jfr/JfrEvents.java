package dev.headroom.internal.jfr;

import dev.headroom.Budget;
import dev.headroom.Constraint;
import dev.headroom.HeadroomEvent;
import dev.headroom.internal.json.JsonWriter;
import dev.headroom.internal.report.ReportJson;
import jdk.jfr.FlightRecorder;

import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Turns Headroom's events and budgets into JFR events while a recording wants them.
 *
 * <p>The recorder is never started from here. {@link FlightRecorder#isInitialized()} is a static read
 * that starts nothing; only once it is true (a {@code -XX:StartFlightRecording}, a {@code jcmd JFR.start},
 * or the application's own use of JFR) is an event class touched, and then its {@code isEnabled()} or
 * {@code shouldCommit()} says whether a recording wants it. {@code FlightRecorder.getFlightRecorder()},
 * {@code FlightRecorder.register} and {@code EventType.getEventType} would each start or build the
 * recorder's metadata, so none of them is called. A JVM that starts a recording late gets every event
 * from then on: the classes are loaded after the recorder exists and are instrumented as they load.
 */
public final class JfrEvents implements Consumer<HeadroomEvent> {
    private final Consumer<String> onFailure;
    private volatile boolean off;

    private JfrEvents(Consumer<String> onFailure) {
        this.onFailure = onFailure;
    }

    /**
     * The JFR sink, or null when this JVM has no {@code jdk.jfr} module (a jlinked runtime without it,
     * {@code --limit-modules}, an application module that does not read it).
     *
     * @param onFailure told once, with the reason, if JFR fails here; the sink is off from then on
     */
    public static JfrEvents create(Consumer<String> onFailure) {
        Module self = JfrEvents.class.getModule();
        java.util.Optional<Module> jfr = ModuleLayer.boot().findModule("jdk.jfr");
        if (jfr.isEmpty() || (self.isNamed() && !self.canRead(jfr.get()))) {
            return null;
        }
        return new JfrEvents(onFailure);
    }

    /** True once anything has initialised the recorder; this alone never initialises it. */
    private boolean recorderUp() {
        return !off && FlightRecorder.isInitialized();
    }

    @Override
    public void accept(HeadroomEvent e) {
        if (!recorderUp()) {
            return;
        }
        try {
            switch (e.event()) {
                case "pressure" -> pressure(e);
                case "heap_dump" -> heapDump(e);
                case "exit" -> exit(e);
                case "soft_limit", "idle_reclaim" -> reclaim(e);
                case "error" -> error(e);
                default -> other(e);
            }
        } catch (RuntimeException | LinkageError ex) {
            fail(ex);
        }
    }

    /** One {@code dev.headroom.BudgetSample} per budget while a recording has the event enabled. */
    public void budget(Budget b) {
        if (!recorderUp()) {
            return;
        }
        try {
            JfrTypes.BudgetSample s = new JfrTypes.BudgetSample();
            if (!s.shouldCommit()) {
                return;
            }
            s.level = b.governor().level().name();
            s.workingSet = b.workingSetBytes();
            s.limit = orMinusOne(b.limitBytes());
            s.headroom = orMinusOne(b.headroomBytes());
            s.used = b.limitBytes().isPresent() && b.limitBytes().getAsLong() > 0
                    ? (double) b.workingSetBytes() / b.limitBytes().getAsLong() : Double.NaN;
            ReportJson.Growth g = ReportJson.Growth.of(b);
            s.growth = orNaN(g.perSecond());
            s.timeToLimit = g.secondsToLimit().isPresent() ? Math.round(g.secondsToLimit().getAsDouble()) : -1;
            Constraint binding = b.bindingConstraint().orElse(null);
            s.binding = binding == null ? null : binding.name();
            s.bindingShare = binding == null ? Double.NaN : binding.share();
            s.heapUsed = b.jvm().heapUsedBytes();
            s.heapCommitted = b.jvm().heapCommittedBytes();
            s.heapMax = orMinusOne(b.jvm().heapMaxBytes());
            s.rss = orMinusOne(b.process().rssBytes());
            s.nmtCommitted = orMinusOne(b.jvm().nmtTotalCommittedBytes());
            s.gcTimeShare = orNaN(b.jvm().gcTimeShare());
            s.commit();
        } catch (RuntimeException | LinkageError ex) {
            fail(ex);
        }
    }

    private static void pressure(HeadroomEvent e) {
        JfrTypes.PressureLevelChange j = new JfrTypes.PressureLevelChange();
        if (!j.isEnabled()) {
            return;
        }
        Map<String, Object> f = e.fields();
        j.level = text(f, "level");
        j.previous = text(f, "previous");
        j.workingSet = bytes(f, "workingSetBytes");
        j.limit = bytes(f, "limitBytes");
        j.headroom = bytes(f, "headroomBytes");
        j.warnAt = bytes(f, "warnAtBytes");
        j.criticalAt = bytes(f, "criticalAtBytes");
        j.message = e.message();
        j.commit();
    }

    private static void heapDump(HeadroomEvent e) {
        JfrTypes.HeapDump j = new JfrTypes.HeapDump();
        if (!j.isEnabled()) {
            return;
        }
        Map<String, Object> f = e.fields();
        j.path = text(f, "path");
        j.size = bytes(f, "bytes");
        j.writeTime = f.get("seconds") instanceof Number n ? Math.round(n.doubleValue() * 1000) : -1;
        j.workingSet = bytes(f, "workingSetBytes");
        j.heapDumpAt = bytes(f, "heapDumpAtBytes");
        j.heapUsed = bytes(f, "heapUsedBytes");
        j.constraint = text(f, "constraint");
        j.message = e.message();
        j.commit();
    }

    private static void exit(HeadroomEvent e) {
        JfrTypes.Exit j = new JfrTypes.Exit();
        if (!j.isEnabled()) {
            return;
        }
        Map<String, Object> f = e.fields();
        j.exitCode = (int) bytes(f, "exitCode");
        j.reason = text(f, "reason");
        j.workingSet = bytes(f, "workingSetBytes");
        j.limit = bytes(f, "limitBytes");
        j.exitAt = bytes(f, "exitAtBytes");
        j.grace = bytes(f, "graceMillis");
        j.message = e.message();
        j.commit();
    }

    private static void reclaim(HeadroomEvent e) {
        JfrTypes.Reclaim j = new JfrTypes.Reclaim();
        if (!j.isEnabled()) {
            return;
        }
        Map<String, Object> f = e.fields();
        j.kind = e.event();
        j.action = text(f, "action");
        j.reason = text(f, "reason");
        j.softLimit = bytes(f, "softLimitBytes");
        j.workingSet = bytes(f, "workingSetBytes");
        j.bytesReturned = bytes(f, "bytesReturned");
        j.gcCpuShare = f.get("gcCpuShare") instanceof Number n ? n.doubleValue() : Double.NaN;
        j.message = e.message();
        j.commit();
    }

    private static void error(HeadroomEvent e) {
        JfrTypes.Error j = new JfrTypes.Error();
        if (!j.isEnabled()) {
            return;
        }
        j.where = text(e.fields(), "where");
        j.message = e.message();
        j.commit();
    }

    private static void other(HeadroomEvent e) {
        JfrTypes.Other j = new JfrTypes.Other();
        if (!j.isEnabled()) {
            return;
        }
        j.event = e.event();
        j.message = e.message();
        JsonWriter w = new JsonWriter(new StringBuilder(256)).beginObject();
        for (Map.Entry<String, Object> field : e.fields().entrySet()) {
            w.name(field.getKey()).value(field.getValue());
        }
        j.fields = w.endObject().toString();
        j.commit();
    }

    /** Off for good after the first failure: a broken recorder must not cost the sampler every tick. */
    private void fail(Throwable t) {
        if (!off) {
            off = true;
            onFailure.accept("JFR events are off: " + t);
        }
    }

    private static String text(Map<String, Object> f, String key) {
        Object v = f.get(key);
        return v == null ? null : v.toString();
    }

    /** A whole number from the event's plain fields; -1 when absent (an unknown reading is null there). */
    private static long bytes(Map<String, Object> f, String key) {
        return f.get(key) instanceof Number n ? n.longValue() : -1;
    }

    private static long orMinusOne(OptionalLong v) {
        return v.isPresent() ? v.getAsLong() : -1;
    }

    private static double orNaN(OptionalDouble v) {
        return v.isPresent() ? v.getAsDouble() : Double.NaN;
    }
}
