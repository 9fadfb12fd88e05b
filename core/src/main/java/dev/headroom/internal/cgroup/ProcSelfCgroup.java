package dev.headroom.internal.cgroup;

import java.util.List;
import java.util.function.Consumer;

/**
 * Parser for {@code /proc/self/cgroup} (cgroups(7)): one line per hierarchy,
 * {@code hierarchy-ID:controller-list:cgroup-path}. v1 hierarchies have a non-zero ID and their
 * controllers (possibly joined: {@code cpu,cpuacct,memory}); the v2 hierarchy is {@code 0::path}.
 * Only the first two colons separate fields: the path may itself contain colons (JDK-8272124).
 * A v2 cgroup removed while still referenced is shown with a {@code " (deleted)"} suffix.
 */
final class ProcSelfCgroup {

    static final String DELETED_SUFFIX = " (deleted)";

    record Entry(int hierarchyId, List<String> controllers, String path, boolean deleted) {
        boolean hasController(String name) {
            return controllers.contains(name);
        }
    }

    private ProcSelfCgroup() {
    }

    static List<Entry> parse(String content, String fileName, List<String> errors) {
        return TextLines.parse(content, fileName, errors, ENTRY);
    }

    private static final TextLines.Parser<Entry> ENTRY = new TextLines.Parser<>() {
        @Override
        public Entry parse(String line, Consumer<String> refuse) {
            return entry(line, refuse);
        }
    };

    private static Entry entry(String line, Consumer<String> refuse) {
        int first = line.indexOf(':');
        int second = first < 0 ? -1 : line.indexOf(':', first + 1);
        if (second < 0) {
            refuse.accept("is malformed (expected id:controllers:path)");
            return null;
        }
        int id;
        try {
            id = Integer.parseInt(line.substring(0, first).trim());
        } catch (NumberFormatException e) {
            refuse.accept("has a non-numeric hierarchy id");
            return null;
        }
        String controllerList = line.substring(first + 1, second);
        List<String> controllers = controllerList.isEmpty() ? List.of() : List.of(controllerList.split(","));
        String path = line.substring(second + 1);
        boolean deleted = path.endsWith(DELETED_SUFFIX);
        if (deleted) {
            path = path.substring(0, path.length() - DELETED_SUFFIX.length());
        }
        if (!path.startsWith("/")) {
            refuse.accept("has a relative cgroup path");
            return null;
        }
        return new Entry(id, controllers, path, deleted);
    }
}
