package dev.headroom;

import dev.headroom.internal.json.JsonWriter;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One thing Headroom did or saw, as written to the event log: {@code start}, {@code pressure},
 * {@code heap_dump}, {@code heap_dump_refused}, {@code soft_limit}, {@code exit}, {@code error}.
 *
 * @param timeMillis when it happened (epoch ms)
 * @param event      the event name, as in the event log's {@code event} field
 * @param fields     the event's fields, in log order (strings, numbers, booleans, lists, maps; null
 *                   when unknown); a budget or its figures under the names of the budget schema
 *                   (docs/schema.md)
 * @param message    the same as one line for a person (what the stderr line says)
 */
public record HeadroomEvent(long timeMillis, String event, Map<String, Object> fields, String message) {
    public HeadroomEvent {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(message, "message");
        // Copy keeping order; Map.copyOf would lose it and reject null values (an unknown reading).
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /**
     * The level a log line of this event gets: {@code ERROR} for an orderly exit and a CRITICAL
     * pressure level; {@code WARNING} for WARN, a heap dump (written or refused), a JVM limit reached,
     * options not applied and Headroom's own errors (Headroom carries on; the application is not
     * failing); {@code INFO} for the rest (start, the level back to OK, soft-limit actions, changed
     * settings).
     */
    public System.Logger.Level level() {
        return switch (event) {
            case "exit" -> System.Logger.Level.ERROR;
            case "pressure" -> switch (String.valueOf(fields.get("level"))) {
                case "CRITICAL" -> System.Logger.Level.ERROR;
                case "WARN" -> System.Logger.Level.WARNING;
                default -> System.Logger.Level.INFO;
            };
            case "heap_dump", "heap_dump_refused", "limit_reached", "options_not_applied", "error" -> System.Logger.Level.WARNING;
            default -> System.Logger.Level.INFO;
        };
    }

    /**
     * The event as key/values for a structured log line: {@code event} first, then every field in log
     * order; a nested object or list as its JSON text (so any encoder writes it faithfully), a whole
     * budget ({@code budget}, several kilobytes) left out: the event log and the actuator endpoint
     * have it. A field named {@code message} (an error's) is left out too: the log line's message
     * says it, and JSON encoders that write key/values at the top level would write two
     * {@code message} keys.
     */
    public Map<String, Object> keyValues() {
        Map<String, Object> kv = new LinkedHashMap<>();
        kv.put("event", event);
        for (Map.Entry<String, Object> f : fields.entrySet()) {
            Object v = f.getValue();
            if (f.getKey().equals("budget") || f.getKey().equals("event") || f.getKey().equals("message")) {
                continue;
            }
            kv.put(f.getKey(), v instanceof Map<?, ?> || v instanceof Collection<?> ? new JsonWriter().value(v).toString() : v);
        }
        return Collections.unmodifiableMap(kv);
    }
}
