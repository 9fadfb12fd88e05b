package dev.headroom.internal.events;

import dev.headroom.HeadroomConfig;
import dev.headroom.HeadroomEvent;
import dev.headroom.ReclaimRequest;
import dev.headroom.internal.clock.Ticker;
import dev.headroom.internal.json.JsonWriter;
import dev.headroom.internal.json.PlainValues;

import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The one {@link EventSink}: stamps the time, makes the fields plain values ({@link PlainValues}: an
 * empty optional is null), writes the event-log line, prints the stderr line and hands the event to
 * listeners and to any other subscriber (the MXBean's notifications).
 */
public final class EventBus implements EventSink, AutoCloseable {
    private final Ticker ticker;
    private final Diagnostics diagnostics;
    private final EventLog log;
    private final ListenerDispatcher listeners;
    private final CopyOnWriteArrayList<Consumer<HeadroomEvent>> subscribers = new CopyOnWriteArrayList<>();
    private volatile HeadroomConfig.Log target = HeadroomConfig.Log.STDERR;
    private volatile boolean slf4jAttached;

    /** @param log null when there is no event log */
    public EventBus(Ticker ticker, Diagnostics diagnostics, EventLog log, ListenerDispatcher listeners) {
        this.ticker = ticker;
        this.diagnostics = diagnostics;
        this.log = log;
        this.listeners = listeners;
    }

    /** Where events go besides the event log ({@code log=}); may change at run time. */
    public void log(HeadroomConfig.Log target) {
        this.target = target;
    }

    /** Says that {@link Slf4jEvents} now logs every event, so {@code log=slf4j} stops the stderr lines. */
    public void slf4jAttached() {
        this.slf4jAttached = true;
    }

    /**
     * Whether an event's {@code [headroom]} line goes to stderr: always with {@code log=stderr} or
     * {@code both}; with {@code slf4j} only until SLF4J has the events. While the application logs the
     * events itself, its choice ({@link HeadroomConfig.Log#APPLICATION_LOGS_PROPERTY}) decides.
     */
    public boolean linesToStderr() {
        String application = System.getProperty(HeadroomConfig.Log.APPLICATION_LOGS_PROPERTY);
        if (application != null) {
            return application.equals(HeadroomConfig.Log.BOTH.toString());
        }
        return target != HeadroomConfig.Log.SLF4J || !slf4jAttached;
    }

    public void subscribe(Consumer<HeadroomEvent> subscriber) {
        subscribers.add(subscriber);
    }

    /** Wires {@link Diagnostics#failure} to {@code error} events (whose stderr line it already printed). */
    public void recordFailures() {
        diagnostics.errorEvents(new BiConsumer<String, String>() {
            @Override
            public void accept(String where, String message) {
                emit("error", EventSink.errorFields(where, message), "error in " + where + ": " + message, false);
            }
        });
    }

    @Override
    public void emit(String event, Map<String, Object> fields, String message) {
        emit(event, fields, message, true);
    }

    private void emit(String event, Map<String, Object> fields, String message, boolean toStderr) {
        try {
            HeadroomEvent e = new HeadroomEvent(ticker.currentTimeMillis(), event, PlainValues.map(fields), message);
            if (log != null) {
                log.append(toJson(e));
            }
            if (toStderr && linesToStderr()) {
                diagnostics.line(message);
            }
            listeners.event(e);
            for (Consumer<HeadroomEvent> s : subscribers) {
                try {
                    s.accept(e);
                } catch (RuntimeException ex) {
                    diagnostics.failure("event subscriber " + s.getClass().getName(), ex);
                }
            }
        } catch (RuntimeException ex) {
            diagnostics.failure("event " + event, ex);
        }
    }

    @Override
    public boolean reclaimRequest(ReclaimRequest request) {
        try {
            return listeners.reclaimRequest(request);
        } catch (RuntimeException ex) {
            diagnostics.failure("reclaim request", ex);
            return false;
        }
    }

    /** One event-log line: {@code time}, {@code event}, the fields in order, then {@code message}. */
    public static String toJson(HeadroomEvent e) {
        JsonWriter w = new JsonWriter(new StringBuilder(256));
        w.beginObject().name("time").value(e.timeMillis()).name("event").value(e.event());
        for (Map.Entry<String, Object> f : e.fields().entrySet()) {
            if (!f.getKey().equals("time") && !f.getKey().equals("event") && !f.getKey().equals("message")) {
                w.name(f.getKey()).value(f.getValue());
            }
        }
        w.name("message").value(e.message());
        return w.endObject().toString();
    }

    @Override
    public void close() {
        if (log != null) {
            log.close();
        }
    }
}
