package dev.headroom.internal.cgroup;

import dev.headroom.CgroupSnapshot;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The fixture corpus and its {@code expected.properties}, shared by every test that runs the corpus
 * (the library API here, {@code report --json --root} in the agent module). A key's value is the
 * expected reading, {@code absent} for none; {@code errors} is the exact number of errors and
 * {@code errorContains} a {@code |}-separated list of substrings that some error must contain.
 */
public final class FixtureExpectations {
    /** Keys every fixture states, so no fixture silently checks less than the contract. */
    public static final List<String> REQUIRED = List.of("version", "memoryDir", "limitBytes", "usageBytes",
            "workingSetBytes", "errors");
    private static final Set<String> TYPED_STAT = Set.of("anon", "file", "kernel", "shmem", "sock", "fileMapped",
            "activeFile", "inactiveFile", "slabReclaimable");

    private FixtureExpectations() {
    }

    /** The corpus, found from the module directory surefire runs in. */
    public static Path corpus(Path moduleDir) {
        Path here = moduleDir.resolve("src/test/resources/fixtures");
        return Files.isDirectory(here) ? here : moduleDir.resolve("../core/src/test/resources/fixtures").normalize();
    }

    /** A writable copy of one fixture tree of {@code corpus} under {@code tmp}, for tests that change files. */
    public static Path copy(Path corpus, String fixture, Path tmp) throws IOException {
        Path from = corpus.resolve(fixture);
        Path to = tmp.resolve(fixture);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }

    public static List<Path> fixtures(Path corpus) throws IOException {
        try (Stream<Path> s = Files.list(corpus)) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    public static Map<String, String> expected(Path fixture) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(fixture.resolve("expected.properties"), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, String> out = new TreeMap<>();
        p.forEach((k, v) -> out.put((String) k, (String) v));
        return out;
    }

    /**
     * Compares every expected key with what {@code actual} says for it ({@code "absent"} for none)
     * and returns the mismatches; {@code errorList} is the reported error list.
     */
    public static List<String> mismatches(Map<String, String> expected, Function<String, String> actual,
                                          List<String> errorList) {
        List<String> out = new ArrayList<>();
        for (String key : REQUIRED) {
            if (!expected.containsKey(key)) {
                out.add("expected.properties lacks required key " + key);
            }
        }
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String key = e.getKey();
            String want = e.getValue();
            if (key.equals("errors")) {
                if (errorList.size() != Integer.parseInt(want)) {
                    out.add("errors: expected " + want + " but got " + errorList.size() + " " + errorList);
                }
            } else if (key.equals("errorContains")) {
                for (String part : want.split("\\|")) {
                    if (errorList.stream().noneMatch(m -> m.contains(part))) {
                        out.add("no error contains \"" + part + "\": " + errorList);
                    }
                }
            } else {
                String got = actual.apply(key);
                if (!same(want, got)) {
                    out.add(key + ": expected " + want + " but got " + got);
                }
            }
        }
        return out;
    }

    private static boolean same(String want, String got) {
        if (want.equals(got)) {
            return true;
        }
        try {
            return Double.parseDouble(want) == Double.parseDouble(got);
        } catch (NumberFormatException | NullPointerException e) {
            return false;
        }
    }

    /** What the library's record says for an expected.properties key. */
    public static String fromSnapshot(CgroupSnapshot s, String key) {
        switch (key) {
            case "version":
                return s.available() ? Integer.toString(s.version()) : "absent";
            case "memoryDir":
                return text(s.memoryDir());
            case "limitBytes":
                return text(s.limitBytes());
            case "limitSource":
                return text(s.limitSource());
            case "usageBytes":
                return text(s.usageBytes());
            case "workingSetBytes":
                return text(s.workingSetBytes());
            case "hostMemoryBytes":
                return text(s.hostMemoryBytes());
            case "highBytes":
                return text(s.highBytes());
            case "lowBytes":
                return text(s.lowBytes());
            case "minBytes":
                return text(s.minBytes());
            case "peakBytes":
                return text(s.peakBytes());
            case "swapUsageBytes":
                return text(s.swapUsageBytes());
            case "swapLimitBytes":
                return text(s.swapLimitBytes());
            case "bindingDir":
                return s.binding() == null ? "absent" : s.binding().dir();
            case "bindingHeadroomBytes":
                return s.binding() == null ? "absent" : Long.toString(s.binding().headroomBytes());
            case "pressure":
                return s.pressure() == null ? "absent" : "present";
            default:
                break;
        }
        if (key.startsWith("stat.")) {
            String name = key.substring(5);
            if (TYPED_STAT.contains(name)) {
                return text(typed(s.stat(), name));
            }
            Long v = s.stat().all().get(name);
            return v == null ? "absent" : v.toString();
        }
        if (key.startsWith("events.")) {
            Long v = s.events().get(key.substring(7));
            return v == null ? "absent" : v.toString();
        }
        if (key.startsWith("pressure.")) {
            CgroupSnapshot.Pressure p = s.pressure();
            if (p == null) {
                return "absent";
            }
            return switch (key.substring(9)) {
                case "someAvg10" -> Double.toString(p.someAvg10());
                case "someAvg60" -> Double.toString(p.someAvg60());
                case "someAvg300" -> Double.toString(p.someAvg300());
                case "someTotalMicros" -> Long.toString(p.someTotalMicros());
                case "fullAvg10" -> text(p.fullAvg10());
                case "fullAvg60" -> text(p.fullAvg60());
                case "fullAvg300" -> text(p.fullAvg300());
                case "fullTotalMicros" -> text(p.fullTotalMicros());
                default -> "unknown key " + key;
            };
        }
        return "unknown key " + key;
    }

    /** Typed memory.stat fields, by their record component name. */
    public static boolean isTypedStat(String name) {
        return TYPED_STAT.contains(name);
    }

    private static OptionalLong typed(CgroupSnapshot.MemoryStat m, String name) {
        return switch (name) {
            case "anon" -> m.anon();
            case "file" -> m.file();
            case "kernel" -> m.kernel();
            case "shmem" -> m.shmem();
            case "sock" -> m.sock();
            case "fileMapped" -> m.fileMapped();
            case "activeFile" -> m.activeFile();
            case "inactiveFile" -> m.inactiveFile();
            default -> m.slabReclaimable();
        };
    }

    private static String text(String s) {
        return s == null ? "absent" : s;
    }

    private static String text(OptionalLong v) {
        return v.isPresent() ? Long.toString(v.getAsLong()) : "absent";
    }

    private static String text(OptionalDouble v) {
        return v.isPresent() ? Double.toString(v.getAsDouble()) : "absent";
    }
}
