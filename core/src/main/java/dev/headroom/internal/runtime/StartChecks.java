package dev.headroom.internal.runtime;

import dev.headroom.HeadroomConfig;
import dev.headroom.HeadroomEvent;
import dev.headroom.internal.config.Option;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.events.EventBus;
import dev.headroom.internal.events.EventLog;
import dev.headroom.internal.events.EventSink;
import dev.headroom.internal.events.OwnerOnly;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What is checked when Headroom starts, so that a setting that cannot work is said at start and not
 * discovered at the moment it was needed: the directories it will write to, and, when another copy
 * already runs, which of this copy's options that copy does not have.
 */
public final class StartChecks {
    /** The event a copy writes when it finds Headroom already running with other options. */
    public static final String NOT_APPLIED_EVENT = "options_not_applied";

    private StartChecks() {
    }

    /**
     * The directories {@code config} writes to that cannot hold its files (not a directory, not
     * writable, not creatable): one message each, naming the option, the path and what it is.
     */
    public static List<String> directoryProblems(HeadroomConfig config) {
        List<String> problems = new ArrayList<>();
        if (!config.heapDumpAt().isOff()) {
            Path dir = config.heapDumpDir().orElse(Path.of("").toAbsolutePath());
            String p = OwnerOnly.directoryProblem(dir);
            if (p != null) {
                problems.add("heapDumpDir=" + dir + ": " + p + "; heap dumps will fail until it is a writable directory");
            }
        }
        if (config.eventLog().isPresent()) {
            Path log = config.eventLog().get();
            String p = fileProblem(log);
            if (p != null) {
                problems.add("eventLog=" + log + ": " + p + "; events go to stderr only until it is fixed");
            }
        }
        return problems;
    }

    private static String fileProblem(Path file) {
        if (Files.isSymbolicLink(file)) {
            return file + " is a symbolic link, which Headroom does not write through";
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return file + " exists and is not a regular file";
        }
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? null : OwnerOnly.directoryProblem(parent);
    }

    /**
     * The options {@code given} sets (differs from the defaults in) that {@code running} has otherwise,
     * in table order: key, then this copy's value and the running copy's ({@code null} when unknown).
     */
    public static Map<String, String[]> notApplied(HeadroomConfig given, HeadroomConfig running) {
        Map<String, String[]> out = new LinkedHashMap<>();
        HeadroomConfig defaults = HeadroomConfig.defaults();
        for (Option o : Option.values()) {
            String mine = o.print(given);
            if (mine.equals(o.print(defaults))) {
                continue;
            }
            String theirs = running == null ? null : o.print(running);
            if (!mine.equals(theirs)) {
                out.put(o.key(), new String[] {mine, theirs});
            }
        }
        return out;
    }

    /** The one WARN line naming each option that was not applied, with both values. */
    public static String notAppliedMessage(Map<String, String[]> notApplied, String running) {
        StringBuilder m = new StringBuilder(160).append("WARN: Headroom already runs in this JVM (").append(running)
                .append(") with other options; these options of this copy are NOT applied: ");
        String sep = "";
        for (Map.Entry<String, String[]> e : notApplied.entrySet()) {
            String theirs = e.getValue()[1];
            m.append(sep).append(e.getKey()).append('=').append(e.getValue()[0]).append(" (running: ")
                    .append(theirs == null ? "unknown" : e.getKey() + "=" + theirs).append(')');
            sep = ", ";
        }
        return m.append("; give them to the copy that starts first (the application's Headroom.start or the agent),"
                + " or to both").toString();
    }

    /** The fields of the {@value #NOT_APPLIED_EVENT} event: {@code running} and one entry per option. */
    public static Map<String, Object> notAppliedFields(Map<String, String[]> notApplied, String running) {
        List<Map<String, Object>> options = new ArrayList<>();
        for (Map.Entry<String, String[]> e : notApplied.entrySet()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("key", e.getKey());
            o.put("given", e.getValue()[0]);
            o.put("running", e.getValue()[1]);
            options.add(o);
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("running", running);
        f.put("options", options);
        return f;
    }

    /**
     * Says which of {@code given}'s options a copy already running (with {@code running}, null when it
     * could not be read) does not have: through {@code sink} when this class loader's runtime is the
     * running one (its stderr line and event log), else as one stderr line on {@code d}; and the event
     * is appended to every event log either copy names. Silent when nothing differs.
     */
    public static void reportNotApplied(HeadroomConfig given, HeadroomConfig running, String marker, EventSink sink,
                                        Diagnostics d, long timeMillis) {
        Map<String, String[]> lost = notApplied(given, running);
        if (lost.isEmpty()) {
            return;
        }
        String message = notAppliedMessage(lost, marker);
        Map<String, Object> fields = notAppliedFields(lost, marker);
        Set<Path> logs = new LinkedHashSet<>();
        given.eventLog().ifPresent(logs::add);
        if (running != null) {
            if (sink != null) {
                // the sink writes the running copy's own log
                running.eventLog().ifPresent(logs::remove);
            } else {
                running.eventLog().ifPresent(logs::add);
            }
        }
        if (sink != null) {
            sink.emit(NOT_APPLIED_EVENT, fields, message);
        } else {
            d.once("options-not-applied:" + marker, message);
        }
        String line = EventBus.toJson(new HeadroomEvent(timeMillis, NOT_APPLIED_EVENT, fields, message));
        for (Path log : logs) {
            try (EventLog eventLog = new EventLog(log, d)) {
                eventLog.append(line);
            }
        }
    }
}
