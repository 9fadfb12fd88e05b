package dev.headroom.internal.report;

import dev.headroom.Budget;
import dev.headroom.Constraint;
import dev.headroom.JvmSnapshot;
import dev.headroom.ProcessSnapshot;
import dev.headroom.internal.json.JsonWriter;
import dev.headroom.internal.metrics.SampleBudgets;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/schema.md stays true: its example is what the schema writer writes for {@link #example()}, and
 * its field table names every key of that example, no more and no fewer. After a change to the schema,
 * regenerate the example with {@code ./mvnw -B -q -o -pl core test -Dtest=SchemaDocTest
 * -Dheadroom.updateDocs=true} and describe any new field in the table.
 */
class SchemaDocTest {
    static final long MIB = SampleBudgets.MIB;
    private static final String EXAMPLE_HEADING = "\n## Example\n";
    private static final String FIELDS_HEADING = "\n## Fields\n";
    /** Objects whose keys are data (memory.stat keys, event counters, NMT categories): one table row stands for all. */
    private static final Map<String, String> OPEN_KEYS = Map.of(
            "cgroup.stat.all", "<key>", "cgroup.events", "<counter>", "jvm.nmt", "<category>");

    @Test
    void theExampleIsWhatTheSchemaWriterWrites() throws IOException {
        Path doc = schemaDoc();
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int[] block = exampleBlock(text);
        String documented = text.substring(block[0], block[1]);
        Budget budget = example();
        if (Boolean.getBoolean("headroom.updateDocs")) {
            String pretty = pretty(ReportJson.tree(budget), "") + "\n";
            Files.writeString(doc, text.substring(0, block[0]) + pretty + text.substring(block[1]), StandardCharsets.UTF_8);
            documented = pretty;
        }
        assertEquals(ReportJson.toJson(budget), minify(documented),
                doc + ": the example is not what ReportJson writes; regenerate it (see this test's javadoc)");
    }

    @Test
    void theFieldTableNamesEveryKeyOfTheExampleAndNoOther() throws IOException {
        TreeSet<String> documented = new TreeSet<>(tableFields(Files.readString(schemaDoc(), StandardCharsets.UTF_8)));
        TreeSet<String> written = new TreeSet<>();
        paths("", ReportJson.tree(example()), written);
        TreeSet<String> undocumented = new TreeSet<>(written);
        undocumented.removeAll(documented);
        TreeSet<String> notWritten = new TreeSet<>(documented);
        notWritten.removeAll(written);
        assertEquals(List.of(), List.copyOf(undocumented), "keys in the example with no row in the field table");
        assertEquals(List.of(), List.copyOf(notWritten), "rows in the field table for keys the example lacks");
    }

    /**
     * The documented budget: {@link SampleBudgets#full()} (cgroup v2 with every reading, components,
     * governor) with the parts that sample leaves empty filled in, so every object of the schema shows.
     */
    static Budget example() {
        Budget full = SampleBudgets.full();
        long time = full.timeMillis();
        JvmSnapshot jvm = full.jvm().toBuilder()
                .pools(List.of(new JvmSnapshot.Pool("G1 Eden Space", true, 40 * MIB, 80 * MIB, OptionalLong.empty()),
                        new JvmSnapshot.Pool("G1 Old Gen", true, 80 * MIB, 120 * MIB, OptionalLong.of(512 * MIB)),
                        new JvmSnapshot.Pool("Metaspace", false, 38 * MIB, 40 * MIB, OptionalLong.empty())))
                .bufferPools(List.of(new JvmSnapshot.BufferPool("direct", 4, 2 * MIB, 2 * MIB),
                        new JvmSnapshot.BufferPool("mapped", 0, 0, 0)))
                .nmt(Map.of("Java Heap", new JvmSnapshot.NmtCategory("Java Heap", 512 * MIB, 200 * MIB, 200 * MIB),
                        "Class", new JvmSnapshot.NmtCategory("Class", 1024 * MIB, 40 * MIB, 38 * MIB),
                        "Thread", new JvmSnapshot.NmtCategory("Thread", 30 * MIB, 25 * MIB, 25 * MIB)))
                .heapPeakUsedBytes(150 * MIB)
                .gcTimeShare(OptionalDouble.of(0.0125))
                .build();
        ProcessSnapshot process = full.process().toBuilder()
                .pssBytes(OptionalLong.of(320 * MIB))
                .pssAnonBytes(OptionalLong.of(300 * MIB))
                .pssFileBytes(OptionalLong.of(15 * MIB))
                .pssShmemBytes(OptionalLong.of(5 * MIB))
                .smapsTimeMillis(time - 4000)
                .build();
        Budget.SizingCheck sizing = new Budget.SizingCheck(true, false, 1359 * MIB, 1024 * MIB, List.of(
                new Budget.SizingCheck.Term("max_heap", 512 * MIB, "MaxHeapSize"),
                new Budget.SizingCheck.Term("metaspace", 40 * MIB, "Metaspace committed now (MaxMetaspaceSize is unlimited)"),
                new Budget.SizingCheck.Term("code_cache", 240 * MIB, "ReservedCodeCacheSize"),
                new Budget.SizingCheck.Term("direct_memory", 512 * MIB, "MaxDirectMemorySize unset: the max heap (Runtime.maxMemory)"),
                new Budget.SizingCheck.Term("thread_stacks", 25 * MIB, "25 live threads x ThreadStackSize 1048576"),
                new Budget.SizingCheck.Term("other_native", 30 * MIB, "observed jvm_native + untracked_native")));
        Budget.Recommendation recommendation = new Budget.Recommendation(true, 3600, 3600, 256 * MIB, 40.0, 16 * MIB,
                448 * MIB, 640 * MIB, List.of(
                        "request 448 MiB = P99 of per-interval working-set peaks (390 MiB) x 1.15",
                        "max heap 256 MiB = P99 of per-interval heap floors, the live set (85 MiB), x 3.0",
                        "MaxRAMPercentage 40.0 = max heap / limit"));
        return full.toBuilder()
                .jvm(jvm)
                .process(process)
                .sizingCheck(sizing)
                .recommendation(recommendation)
                .who(new Budget.Who(true, "auto", "pressure WARN", OptionalLong.of(time - 6500), List.of(
                        new Budget.Who.Growing("direct_buffers", OptionalDouble.of(5.6 * MIB), List.of(
                                new Budget.Who.Site("com.acme.cache.Store.put (Store.java:88)", 30 * MIB, "liveBytes", 0.75),
                                new Budget.Who.Site("com.acme.net.Codec.frame (Codec.java:41)", 10 * MIB, "liveBytes", 0.25))),
                        new Budget.Who.Growing("thread_stacks", OptionalDouble.empty(), List.of(
                                new Budget.Who.Site("com.acme.jobs.Pool.grow (Pool.java:17)", 12, "liveThreads", 1.0))))))
                .constraints(List.of(
                        new Constraint(Constraint.CGROUP, 318 * MIB, 1024 * MIB, "/sys/fs/cgroup/kubepods/pod1/ctr", true,
                                OptionalDouble.of(MIB), OptionalDouble.of(706)),
                        new Constraint(Constraint.HEAP, 80 * MIB, 512 * MIB, "max heap (-Xmx / MaxHeapSize)", true,
                                OptionalDouble.of(0), OptionalDouble.empty()),
                        new Constraint(Constraint.DIRECT_MEMORY, 2 * MIB, 512 * MIB,
                                "MaxDirectMemorySize (its default is the max heap)", true, OptionalDouble.empty(), OptionalDouble.empty()),
                        new Constraint(Constraint.CODE_CACHE, 30 * MIB, 240 * MIB, "ReservedCodeCacheSize", false,
                                OptionalDouble.empty(), OptionalDouble.empty())))
                .build();
    }

    /** docs/schema.md from the module directory surefire runs in (core), or from the repository root. */
    static Path schemaDoc() {
        Path fromModule = Path.of("..", "docs", "schema.md");
        return Files.isRegularFile(fromModule) ? fromModule : Path.of("docs", "schema.md");
    }

    /** Start and end of the text inside the first ```json block under "## Example". */
    private static int[] exampleBlock(String text) {
        int heading = text.indexOf(EXAMPLE_HEADING);
        assertTrue(heading >= 0, "docs/schema.md has no " + EXAMPLE_HEADING.strip() + " section");
        int open = text.indexOf("```json\n", heading);
        int close = text.indexOf("\n```", open);
        assertTrue(open >= 0 && close > open, "no ```json block under " + EXAMPLE_HEADING.strip());
        return new int[] {open + "```json\n".length(), close + 1};
    }

    /** The first cell of each row of the table under "## Fields", without its backticks. */
    static List<String> tableFields(String text) {
        int start = text.indexOf(FIELDS_HEADING);
        assertTrue(start >= 0, "docs/schema.md has no " + FIELDS_HEADING.strip() + " section");
        int end = text.indexOf("\n## ", start + FIELDS_HEADING.length());
        List<String> fields = new ArrayList<>();
        for (String line : text.substring(start, end < 0 ? text.length() : end).split("\n")) {
            if (line.startsWith("| `")) {
                fields.add(line.substring(3, line.indexOf('`', 3)));
            }
        }
        return fields;
    }

    /** Every key path: {@code a.b} for objects, {@code a[].b} for arrays of objects, a placeholder for open keys. */
    private static void paths(String prefix, Object v, TreeSet<String> out) {
        if (v instanceof Map<?, ?> m) {
            String open = OPEN_KEYS.get(prefix);
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String path = (prefix.isEmpty() ? "" : prefix + ".") + (open != null ? open : e.getKey());
                out.add(path);
                paths(path, e.getValue(), out);
            }
        } else if (v instanceof List<?> l) {
            for (Object item : l) {
                paths(prefix + "[]", item, out);
            }
        }
    }

    /** JSON text without the white space outside strings. */
    static String minify(String json) {
        StringBuilder out = new StringBuilder(json.length());
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                out.append(c);
                if (c == '\\') {
                    out.append(json.charAt(++i));
                } else if (c == '"') {
                    inString = false;
                }
            } else if (!Character.isWhitespace(c)) {
                out.append(c);
                inString = c == '"';
            }
        }
        return out.toString();
    }

    /** The tree indented by two spaces a level, one key or element a line. */
    private static String pretty(Object v, String indent) {
        String inner = indent + "  ";
        if (v instanceof Map<?, ?> m && !m.isEmpty()) {
            StringBuilder sb = new StringBuilder("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                sb.append(inner).append(new JsonWriter().value(String.valueOf(e.getKey()))).append(": ")
                        .append(pretty(e.getValue(), inner)).append(++i < m.size() ? ",\n" : "\n");
            }
            return sb.append(indent).append('}').toString();
        } else if (v instanceof List<?> l && !l.isEmpty()) {
            StringBuilder sb = new StringBuilder("[\n");
            for (int i = 0; i < l.size(); i++) {
                sb.append(inner).append(pretty(l.get(i), inner)).append(i + 1 < l.size() ? ",\n" : "\n");
            }
            return sb.append(indent).append(']').toString();
        }
        return new JsonWriter().value(v).toString();
    }
}
