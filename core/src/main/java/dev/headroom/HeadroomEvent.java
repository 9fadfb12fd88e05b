package dev.headroom;

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
}
