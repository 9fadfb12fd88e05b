package dev.headroom;

import dev.headroom.testkit.ApiBoundary;
import dev.headroom.testkit.ApiBoundary.Reference;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Core's internal packages form one-way layers (docs/architecture.md, "Layers"): a package may use
 * packages of lower layers only, never one of its own layer or above. Checked over the sources of
 * {@code src/main/java}, imports and fully qualified names alike.
 */
class InternalLayersTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final String INTERNAL = ApiBoundary.INTERNAL + ".";

    /** One layer: its name and its packages, relative to {@code dev.headroom.internal}. */
    record Layer(String name, List<String> packages) {
        Layer(String name, String... packages) {
            this(name, List.of(packages));
        }
    }

    /** Bottom to top. */
    static final List<Layer> LAYERS = List.of(
            // the clock, kernel files, JSON writing, option values: nothing of Headroom's internals below them
            new Layer("primitives", "clock", "kernfs", "json", "config"),
            // one source of figures each
            new Layer("readers", "cgroup", "proc", "jvm"),
            // the readers' snapshots put together each sample
            new Layer("budget", "budget"),
            // the fast watch of every limit: cheap counters between budgets, constraints from each budget
            new Layer("watch", "watch"),
            // a budget as text, JSON (the one schema) or meters: pure functions of a Budget, which the
            // events, the governor's messages and every publisher quote
            new Layer("renderers", "report", "metrics"),
            // the event log, stderr lines, listener dispatch; the same events and each budget as JFR events
            new Layer("events", "events", "jfr"),
            // levels and actions on a budget
            new Layer("governor", "governor"),
            // the soft limit and idle reclaim: a Reclaimer the governor drives
            new Layer("soft limit", "governor.softlimit"),
            // the sampler thread, the parts it is built from, one instance per JVM
            new Layer("wiring", "runtime"),
            // the MXBean and the Prometheus page, fed by the runtime through the renderers
            new Layer("endpoints", "jmx", "prometheus", "channel"));

    /** Entry points: they sit above every internal package, which must not call back into them. */
    static final Set<String> ENTRY_POINTS = Set.of("Headroom", "Cgroups", "BudgetDocument");

    @Test
    void theTableNamesEveryInternalPackageOnce() {
        Set<String> inTable = new TreeSet<>();
        LAYERS.forEach(layer -> layer.packages().forEach(p -> assertTrue(inTable.add(p), p + " is in two layers")));
        Set<String> inSources = new TreeSet<>();
        for (Path file : ApiBoundary.javaFiles(SOURCES)) {
            String pkg = packageOf(file);
            if (pkg.startsWith(INTERNAL)) {
                inSources.add(pkg.substring(INTERNAL.length()));
            }
        }
        assertEquals(inSources, inTable, "every package under dev.headroom.internal has its place in LAYERS "
                + "(and docs/architecture.md), and LAYERS names no package that is gone");
    }

    @Test
    void eachPackageUsesOnlyLowerLayers() {
        Map<String, Integer> layerOf = new HashMap<>();
        for (int i = 0; i < LAYERS.size(); i++) {
            for (String p : LAYERS.get(i).packages()) {
                layerOf.put(INTERNAL + p, i);
            }
        }
        List<String> upward = new ArrayList<>();
        for (Reference r : ApiBoundary.references(SOURCES)) {
            String from = packageOf(r.file());
            Integer fromLayer = layerOf.get(from);
            if (fromLayer == null) {
                continue;
            }
            if (r.pkg().equals("dev.headroom") && ENTRY_POINTS.contains(r.type())) {
                upward.add(r.describe() + ": " + from + " calls back into the entry point above every layer");
                continue;
            }
            Integer toLayer = layerOf.get(r.pkg());
            if (toLayer != null && !r.pkg().equals(from) && toLayer >= fromLayer) {
                upward.add(r.describe() + ": " + from + " (" + LAYERS.get(fromLayer).name() + ") may only use layers "
                        + "below its own; " + r.pkg() + " is in " + LAYERS.get(toLayer).name());
            }
        }
        assertTrue(upward.isEmpty(), "imports against the layers (move the code down, or the dependency the other way "
                + "through an interface in the lower package):\n  " + String.join("\n  ", upward));
    }

    private static String packageOf(Path file) {
        return SOURCES.relativize(file.getParent()).toString().replace(file.getFileSystem().getSeparator(), ".");
    }
}
