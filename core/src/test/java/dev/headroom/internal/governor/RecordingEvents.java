package dev.headroom.internal.governor;

import dev.headroom.HeadroomEvent;
import dev.headroom.internal.events.EventSink;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every event for assertions. */
final class RecordingEvents implements EventSink {
    final List<HeadroomEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void emit(String event, Map<String, Object> fields, String message) {
        events.add(new HeadroomEvent(0, event, fields, message));
    }

    List<HeadroomEvent> named(String name) {
        return events.stream().filter(e -> e.event().equals(name)).toList();
    }
}
