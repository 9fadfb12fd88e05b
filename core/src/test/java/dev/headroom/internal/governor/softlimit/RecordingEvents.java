package dev.headroom.internal.governor.softlimit;

import dev.headroom.ReclaimRequest;
import dev.headroom.internal.events.EventSink;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Keeps every event and reclaim request. */
final class RecordingEvents implements EventSink {
    record Event(String name, Map<String, Object> fields, String message) {
        Object get(String key) {
            return fields.get(key);
        }
    }

    final List<Event> events = new ArrayList<>();
    final List<ReclaimRequest> requests = new ArrayList<>();
    boolean listening;

    @Override
    public void emit(String event, Map<String, Object> fields, String message) {
        events.add(new Event(event, fields, message));
    }

    @Override
    public boolean reclaimRequest(ReclaimRequest request) {
        if (listening) {
            requests.add(request);
        }
        return listening;
    }

    List<Event> withAction(String action) {
        return events.stream().filter(e -> action.equals(e.get("action"))).collect(Collectors.toList());
    }

    String describe() {
        return events.stream().map(e -> e.name() + " " + e.fields().get("action") + ": " + e.message())
                .collect(Collectors.joining("\n"));
    }
}
