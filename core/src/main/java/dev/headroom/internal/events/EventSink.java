package dev.headroom.internal.events;

import dev.headroom.ReclaimRequest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where Headroom's parts report what they did: one call becomes one event-log line, one
 * {@code [headroom]} stderr line, one {@code onEvent} call per listener and one JMX notification.
 * Thread-safe; never throws. The soft-limit governor reports through {@link #softLimit}.
 */
public interface EventSink {
    /** Drops every event. */
    EventSink NONE = new EventSink() {
        @Override
        public void emit(String event, Map<String, Object> fields, String message) {
        }
    };

    /**
     * @param event   event name ({@code start}, {@code pressure}, {@code soft_limit}, ...)
     * @param fields  JSON-able values in log order; {@code time} and {@code event} are added
     * @param message one line for a person, without the {@code [headroom]} prefix
     */
    void emit(String event, Map<String, Object> fields, String message);

    /**
     * A {@code soft_limit} event: what the governor did and why, e.g. fields {@code action}
     * ({@code gc}, {@code set_flag}, {@code trim_native_heap}, {@code back_off}), {@code softLimitBytes},
     * {@code workingSetBytes}, {@code bytesReturned}.
     */
    default void softLimit(Map<String, Object> fields, String message) {
        emit("soft_limit", fields, message);
    }

    /**
     * Hands a reclaim request to the application's listeners (on their own thread, never waiting for
     * them). Returns false when nobody listens, so the caller can skip reporting a request no one got.
     */
    default boolean reclaimRequest(ReclaimRequest request) {
        return false;
    }

    /** An {@code error} event naming what failed and where. */
    default void error(String where, String message) {
        emit("error", errorFields(where, message), "error in " + where + ": " + message);
    }

    /** The fields of an {@code error} event, in log order. */
    static Map<String, Object> errorFields(String where, String message) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("where", where);
        f.put("message", message);
        return f;
    }
}
