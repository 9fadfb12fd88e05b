package dev.headroom.samples.spring;

import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The manifests under {@code samples/kubernetes}, parsed as YAML: documents, pod templates, plain lookups. */
final class Manifests {
    /** From the module directory surefire runs in ({@code samples/spring-boot}). */
    static final Path DIR = Path.of("").toAbsolutePath().resolveSibling("kubernetes");

    private Manifests() {
    }

    /** One YAML document of a manifest file. */
    record Doc(Path file, Map<String, Object> yaml) {
        String kind() {
            return (String) yaml.get("kind");
        }

        /** The pod spec of a Deployment, StatefulSet, DaemonSet or Job template; a Pod's own spec. */
        Map<String, Object> podSpec() {
            return kind().equals("Pod") ? map(yaml, "spec") : map(yaml, "spec", "template", "spec");
        }

        @Override
        public String toString() {
            return file.getFileName() + " " + kind() + " " + map(yaml, "metadata").get("name");
        }
    }

    static List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @SuppressWarnings("unchecked")
    static List<Doc> docs(Path file) throws IOException {
        List<Doc> out = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (Object o : new Yaml().loadAll(r)) {
                if (o != null) {
                    out.add(new Doc(file, (Map<String, Object>) o));
                }
            }
        }
        return out;
    }

    static List<Doc> all() throws IOException {
        List<Doc> out = new ArrayList<>();
        for (Path f : files()) {
            out.addAll(docs(f));
        }
        return out;
    }

    static List<Doc> workloads() throws IOException {
        return all().stream().filter(d -> List.of("Deployment", "StatefulSet", "DaemonSet", "Job", "Pod").contains(d.kind())).toList();
    }

    static Doc only(String fileName, String kind) throws IOException {
        List<Doc> found = docs(DIR.resolve(fileName)).stream().filter(d -> d.kind().equals(kind)).toList();
        if (found.size() != 1) {
            throw new AssertionError(fileName + " has " + found.size() + " documents of kind " + kind);
        }
        return found.get(0);
    }

    /** The map at {@code path} under {@code m}; empty when any step is missing. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> m, String... path) {
        Object at = m;
        for (String key : path) {
            at = at instanceof Map<?, ?> mm ? mm.get(key) : null;
        }
        return at instanceof Map<?, ?> ? (Map<String, Object>) at : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }

    /** Init containers and containers of a pod spec. */
    static List<Map<String, Object>> allContainers(Map<String, Object> podSpec) {
        List<Map<String, Object>> out = new ArrayList<>(list(podSpec, "initContainers"));
        out.addAll(list(podSpec, "containers"));
        out.addAll(list(podSpec, "ephemeralContainers"));
        return out;
    }
}
