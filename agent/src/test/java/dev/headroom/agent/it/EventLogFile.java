package dev.headroom.agent.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The agent's JSON-lines event log as a test reads it: every line must be one valid JSON object. */
final class EventLogFile {
    private EventLogFile() {
    }

    static List<Map<String, Object>> read(Path file) throws IOException {
        List<Map<String, Object>> events = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return events;
        }
        for (String line : lines) {
            if (!line.isBlank()) {
                Map<String, Object> e = Json.object(line);
                if (!(e.get("time") instanceof Long) || !(e.get("event") instanceof String)) {
                    throw new AssertionError("event without time or event: " + line);
                }
                events.add(e);
            }
        }
        return events;
    }

    static Optional<Map<String, Object>> first(List<Map<String, Object>> events, String event, String level) {
        return events.stream()
                .filter(e -> event.equals(e.get("event")) && (level == null || level.equals(e.get("level"))))
                .findFirst();
    }

    static long count(List<Map<String, Object>> events, String event) {
        return events.stream().filter(e -> event.equals(e.get("event"))).count();
    }

    static String describe(List<Map<String, Object>> events) {
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> e : events) {
            sb.append(e).append('\n');
        }
        return sb.toString();
    }
}
