package dev.headroom.internal.report;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.ProcessSnapshot;
import dev.headroom.internal.json.JsonWriter;
import dev.headroom.internal.metrics.SampleBudgets;
import dev.headroom.internal.runtime.TestBudgets;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the schema writer says for unknown readings (null, never 0) and what kinds of value it hands out. */
class ReportJsonTest {
    private static final long MIB = TestBudgets.MIB;

    @Test
    void aSizingCheckWithNothingToCompareWithHasNoVerdictAndNoLimit() {
        Budget.SizingCheck noLimit = new Budget.SizingCheck(false, true, 300 * MIB, 0,
                List.of(new Budget.SizingCheck.Term("max_heap", 256 * MIB, "MaxHeapSize"),
                        new Budget.SizingCheck.Term("code_cache", 44 * MIB, "ReservedCodeCacheSize")));
        Map<String, Object> sc = at(ReportJson.tree(base().toBuilder().sizingCheck(noLimit).build()), "budget", "sizingCheck");
        assertEquals(false, sc.get("evaluated"));
        assertNull(sc.get("fits"), "no verdict without a limit");
        assertNull(sc.get("limitBytes"), "no limit is not a limit of 0");
        assertEquals(300 * MIB, sc.get("worstCaseBytes"), "the sum of the terms is known all the same");

        Map<String, Object> none = at(ReportJson.tree(base()), "budget", "sizingCheck");
        assertTrue(none.containsKey("worstCaseBytes"));
        assertNull(none.get("worstCaseBytes"), "no terms: nothing was added up");
    }

    @Test
    void anEvaluatedSizingCheckHasEveryFigure() {
        Budget.SizingCheck check = new Budget.SizingCheck(true, false, 1100 * MIB, 1024 * MIB,
                List.of(new Budget.SizingCheck.Term("max_heap", 1100 * MIB, "MaxHeapSize")));
        Map<String, Object> sc = at(ReportJson.tree(base().toBuilder().sizingCheck(check).build()), "budget", "sizingCheck");
        assertEquals(false, sc.get("fits"));
        assertEquals(1024 * MIB, sc.get("limitBytes"));
        assertEquals(List.of(Map.of("name", "max_heap", "bytes", 1100 * MIB, "source", "MaxHeapSize")), sc.get("terms"));
    }

    @Test
    void aRecommendationNotMadeYetHasNullFiguresButSaysWhatItRestsOn() {
        Map<String, Object> r = at(ReportJson.tree(base().toBuilder().recommendation(Budget.Recommendation.notYet(42, 7)).build()),
                "budget", "recommendation");
        assertEquals(false, r.get("available"));
        assertEquals(42L, r.get("basedOnSeconds"));
        assertEquals(7L, r.get("samples"));
        for (String figure : List.of("maxHeapBytes", "maxRamPercentage", "maxDirectMemoryBytes",
                "containerRequestBytes", "containerLimitBytes")) {
            assertTrue(r.containsKey(figure), figure + " is there, as null");
            assertNull(r.get(figure), figure);
        }
        assertEquals(List.of(), r.get("reasoning"));
    }

    @Test
    void anUnknownWorkingSetAndUnreadSmapsAreNull() {
        Budget b = TestBudgets.budget(1, -1, OptionalLong.empty(), 0, GovernorState.initial());
        Map<String, Object> tree = ReportJson.tree(b);
        assertTrue(tree.containsKey("workingSetBytes"));
        assertNull(tree.get("workingSetBytes"));
        assertNull(at(tree, "budget").get("workingSetBytes"));
        assertNull(tree.get("limitBytes"), "unlimited");
        assertNull(at(tree, "process").get("smapsTimeMillis"), "smaps never read");
        ProcessSnapshot read = ProcessSnapshot.builder()
                .rssBytes(OptionalLong.of(MIB))
                .pssBytes(OptionalLong.of(MIB))
                .smapsTimeMillis(1234)
                .build();
        Budget withSmaps = b.toBuilder().process(read).workingSetBytes(5).build();
        assertEquals(1234L, at(ReportJson.tree(withSmaps), "process").get("smapsTimeMillis"));
    }

    @Test
    void withoutAMemoryControllerTheVersionIsNullNotZero() {
        Map<String, Object> tree = ReportJson.tree(SampleBudgets.noController());
        assertTrue(at(tree, "cgroup").containsKey("version"));
        assertNull(at(tree, "cgroup").get("version"));
        assertNull(at(tree, "cgroup").get("memoryDir"));
    }

    @Test
    void theTreeHoldsPlainJdkValuesOnlyAndTheTextIsThatTree() {
        for (Budget b : List.of(SampleBudgets.full(), SampleBudgets.noController(), base())) {
            Map<String, Object> tree = ReportJson.tree(b);
            List<String> wrong = new ArrayList<>();
            plainOnly("", tree, wrong);
            assertEquals(List.of(), wrong, "Long, Double, String, Boolean, Map, List or null only");
            assertEquals(new JsonWriter().value((Object) tree).toString(), ReportJson.toJson(b));
        }
    }

    @Test
    void figuresAreTheFirstKeysOfTheBudgetObject() {
        Budget b = SampleBudgets.full();
        Map<String, Object> figures = ReportJson.figures(b);
        assertEquals(List.of("workingSetBytes", "limitBytes", "headroomBytes", "growthBytesPerSecond", "secondsToLimit", "binding"),
                List.copyOf(figures.keySet()));
        List<String> budgetKeys = List.copyOf(at(ReportJson.tree(b), "budget").keySet());
        assertEquals(List.copyOf(figures.keySet()), budgetKeys.subList(0, figures.size()));
        figures.forEach((k, v) -> assertEquals(v, at(ReportJson.tree(b), "budget").get(k), k));
        figures.forEach((k, v) -> assertTrue(v != null || k.equals("binding"),
                k + ": every figure of the full sample is known (it has no constraints, so no binding one)"));
    }

    private static Budget base() {
        return TestBudgets.budget(500 * MIB, 1024 * MIB);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> at(Map<String, Object> tree, String... path) {
        Map<String, Object> m = tree;
        for (String key : path) {
            m = (Map<String, Object>) m.get(key);
        }
        return m;
    }

    private static void plainOnly(String path, Object v, List<String> wrong) {
        if (v instanceof Map<?, ?> m) {
            m.forEach((k, x) -> plainOnly(path + "." + k, x, wrong));
        } else if (v instanceof List<?> l) {
            l.forEach(x -> plainOnly(path + "[]", x, wrong));
        } else if (!(v == null || v instanceof Long || v instanceof Double || v instanceof String || v instanceof Boolean)) {
            wrong.add(path + ": " + v.getClass().getName());
        }
    }
}
