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

/**
 * The agent's JSON-lines event log as a test reads it: every complete line must be one valid JSON
 * object. A last line without its newline is still being written and is left for the next read: the
 * agent writes each line in one {@code write(2)}, but a reader can see a regular file grow a page at a
 * time while it is copied in (a 9 KiB {@code start} line was read cut at 8192 bytes).
 */
final class EventLogFile {
    private EventLogFile() {
    }

    static List<Map<String, Object>> read(Path file) throws IOException {
        List<Map<String, Object>> events = new ArrayList<>();
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);   // a cut last character decodes, never throws
        } catch (NoSuchFileException e) {
            return events;
        }
        int complete = text.lastIndexOf('\n') + 1;
        for (String line : text.substring(0, complete).split("\n")) {
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
