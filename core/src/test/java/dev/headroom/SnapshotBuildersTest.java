package dev.headroom;

import dev.headroom.internal.metrics.SampleBudgets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The builders of the public snapshots: one setter per component, named like it, that lands in that
 * component and no other; defaults that are the honest unknowns; {@code toBuilder()} that copies every
 * component. Checked by reflection over the record components, so a component added without its setter
 * fails here.
 */
class SnapshotBuildersTest {

    static Stream<Class<? extends Record>> records() {
        return Stream.of(Budget.class, CgroupSnapshot.class, JvmSnapshot.class, ProcessSnapshot.class);
    }

    @ParameterizedTest
    @MethodSource("records")
    void theBuilderHasOneSetterPerComponentAndBuild(Class<? extends Record> type) throws Exception {
        Class<?> builder = builder(type).getClass();
        assertEquals(type.getName() + "$Builder", builder.getName());
        Set<String> methods = Arrays.stream(builder.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()))
                .map(Method::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> expected = Arrays.stream(type.getRecordComponents())
                .map(RecordComponent::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        expected.add("build");
        assertEquals(expected, methods);
    }

    @ParameterizedTest
    @MethodSource("records")
    void everySetterLandsInItsComponentAndNowhereElse(Class<? extends Record> type) throws Exception {
        Record defaults = build(builder(type));
        RecordComponent[] components = type.getRecordComponents();
        for (int i = 0; i < components.length; i++) {
            RecordComponent set = components[i];
            Object value = other(set, i, get(defaults, set));
            Object builder = builder(type);
            set(builder, set, value);
            Record built = build(builder);
            for (RecordComponent c : components) {
                Object expected = c == set || follows(c, set) ? value : get(defaults, c);
                assertEquals(expected, get(built, c), type.getSimpleName() + "." + set.getName() + " set, " + c.getName());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("records")
    void toBuilderThenBuildIsTheSameRecord(Class<? extends Record> type) throws Exception {
        Record defaults = build(builder(type));
        assertEquals(defaults, build(toBuilder(defaults)));

        Object builder = builder(type);
        RecordComponent[] components = type.getRecordComponents();
        for (int i = 0; i < components.length; i++) {
            set(builder, components[i], other(components[i], i, get(defaults, components[i])));
        }
        Record everySet = build(builder);
        assertEquals(everySet, build(toBuilder(everySet)));
    }

    @ParameterizedTest
    @MethodSource("records")
    void optionalsListsAndMapsDefaultToEmpty(Class<? extends Record> type) throws Exception {
        Record defaults = build(builder(type));
        for (RecordComponent c : type.getRecordComponents()) {
            Object v = get(defaults, c);
            String where = type.getSimpleName() + "." + c.getName();
            if (v instanceof OptionalLong o) {
                assertTrue(o.isEmpty(), where);
            } else if (v instanceof OptionalDouble o) {
                assertTrue(o.isEmpty(), where);
            } else if (v instanceof Optional<?> o) {
                assertTrue(o.isEmpty(), where);
            } else if (v instanceof Collection<?> l) {
                assertTrue(l.isEmpty(), where);
            } else if (v instanceof Map<?, ?> m) {
                assertTrue(m.isEmpty(), where);
            }
        }
    }

    @Test
    void aBudgetFromNothingIsTheHonestUnknown() {
        Budget b = Budget.builder().build();
        assertEquals(0, b.timeMillis());
        assertEquals(CgroupSnapshot.builder().build(), b.cgroup());
        assertEquals(JvmSnapshot.builder().build(), b.jvm());
        assertEquals(ProcessSnapshot.builder().build(), b.process());
        assertEquals(0, b.workingSetBytes());
        assertEquals(OptionalLong.empty(), b.limitBytes(), "unlimited, not a limit of 0");
        assertEquals(OptionalLong.empty(), b.headroomBytes());
        assertEquals(OptionalDouble.empty(), b.growthBytesPerSecond(), "growth unknown, not 0");
        assertEquals(OptionalDouble.empty(), b.secondsToLimit());
        assertEquals(new Budget.SizingCheck(false, false, 0, 0, List.of()), b.sizingCheck());
        assertEquals(Budget.Recommendation.notYet(0, 0), b.recommendation());
        assertEquals(GovernorState.initial(), b.governor());
        assertEquals(Optional.empty(), b.bindingConstraint());
    }

    @Test
    void aCgroupFromNothingHasNoMemoryController() {
        CgroupSnapshot c = CgroupSnapshot.builder().build();
        assertFalse(c.available());
        assertEquals(0, c.version());
        assertNull(c.memoryDir());
        assertNull(c.limitSource());
        assertNull(c.pressure(), "no PSI");
        assertNull(c.binding(), "no limited cgroup on the path");
        assertNotNull(c.stat(), "memory.stat is there, with nothing in it");
        assertEquals(OptionalLong.empty(), c.stat().anon());
        assertEquals(OptionalLong.empty(), c.stat().slabReclaimable());
    }

    @Test
    void aJvmFromNothingIsUnreadAndItsPeakFollowsTheHeapUntilSet() {
        JvmSnapshot j = JvmSnapshot.builder().build();
        assertEquals("unknown", j.collector());
        assertTrue(j.threadStackEstimated(), "no stack figure was measured");
        assertFalse(j.nmtEnabled());
        assertEquals(0, j.heapPeakUsedBytes());

        assertEquals(7, JvmSnapshot.builder().heapUsedBytes(7).build().heapPeakUsedBytes(), "the shorter constructor's rule");
        assertEquals(9, JvmSnapshot.builder().heapPeakUsedBytes(9).heapUsedBytes(7).build().heapPeakUsedBytes());
        assertEquals(0, JvmSnapshot.builder().heapUsedBytes(7).heapPeakUsedBytes(0).build().heapPeakUsedBytes(),
                "set is set, even to 0");
    }

    @Test
    void aProcessFromNothingHasNeverReadSmaps() {
        assertEquals(0, ProcessSnapshot.builder().build().smapsTimeMillis());
    }

    @Test
    void realSamplesSurviveToBuilder() {
        for (Budget b : List.of(SampleBudgets.full(), SampleBudgets.noController())) {
            assertEquals(b, b.toBuilder().build());
            assertEquals(b.cgroup(), b.cgroup().toBuilder().build());
            assertEquals(b.jvm(), b.jvm().toBuilder().build());
            assertEquals(b.process(), b.process().toBuilder().build());
        }
    }

    @Test
    void withGovernorAndWithConstraintsChangeOnlyTheirComponent() {
        Budget full = SampleBudgets.full();
        assertFalse(full.constraints().isEmpty());
        Budget judged = full.withGovernor(GovernorState.initial());
        assertEquals(GovernorState.initial(), judged.governor());
        assertEquals(full, judged.withGovernor(full.governor()));
        Budget unconstrained = full.withConstraints(List.of());
        assertEquals(List.of(), unconstrained.constraints());
        assertEquals(full, unconstrained.withConstraints(full.constraints()));
    }

    /** JvmSnapshot's peak heap follows the heap in use until it is set itself. */
    private static boolean follows(RecordComponent c, RecordComponent set) {
        return c.getDeclaringRecord() == JvmSnapshot.class && c.getName().equals("heapPeakUsedBytes")
                && set.getName().equals("heapUsedBytes");
    }

    /** A value for component number {@code i} that differs from its default and from the other components' values. */
    private static Object other(RecordComponent c, int i, Object defaultValue) {
        Class<?> t = c.getType();
        Object v;
        if (t == long.class) {
            v = (Long) defaultValue + 1000 + i;
        } else if (t == int.class) {
            v = (Integer) defaultValue + 1000 + i;
        } else if (t == boolean.class) {
            v = !(Boolean) defaultValue;
        } else if (t == String.class) {
            v = "set " + c.getName();
        } else if (t == OptionalLong.class) {
            v = OptionalLong.of(1000 + i);
        } else if (t == OptionalDouble.class) {
            v = OptionalDouble.of(1000.5 + i);
        } else {
            v = SAMPLES.get(c.getGenericType().getTypeName());
            assertNotNull(v, "no sample value for " + c.getGenericType().getTypeName() + ": add one to SAMPLES");
        }
        assertNotEquals(defaultValue, v, c.getName());
        return v;
    }

    private static final Map<String, Object> SAMPLES = Map.ofEntries(
            Map.entry(CgroupSnapshot.class.getName(), CgroupSnapshot.builder().version(2).memoryDir("/sys/fs/cgroup/x").build()),
            Map.entry(JvmSnapshot.class.getName(), JvmSnapshot.builder().collector("G1").heapUsedBytes(1).build()),
            Map.entry(ProcessSnapshot.class.getName(), ProcessSnapshot.builder().rssBytes(OptionalLong.of(1)).build()),
            Map.entry(list(Budget.Component.class), List.of(new Budget.Component("heap", 1, "test", false))),
            Map.entry(Budget.SizingCheck.class.getName(), new Budget.SizingCheck(true, true, 1, 2,
                    List.of(new Budget.SizingCheck.Term("max_heap", 1, "MaxHeapSize")))),
            Map.entry(Budget.Recommendation.class.getName(), Budget.Recommendation.notYet(60, 60)),
            Map.entry(GovernorState.class.getName(), GovernorState.initial().withLevel(PressureLevel.WARN)),
            Map.entry(Budget.Who.class.getName(), new Budget.Who(true, "auto", "pressure WARN", OptionalLong.of(1), List.of())),
            Map.entry(list(String.class), List.of("a problem")),
            Map.entry(list(Constraint.class), List.of(new Constraint(Constraint.HEAP, 1, 2, "-Xmx", true,
                    OptionalDouble.empty(), OptionalDouble.empty()))),
            Map.entry(CgroupSnapshot.MemoryStat.class.getName(), new CgroupSnapshot.MemoryStat(Map.of("anon", 1L),
                    OptionalLong.of(1), OptionalLong.of(2), OptionalLong.of(3), OptionalLong.of(4), OptionalLong.of(5),
                    OptionalLong.of(6), OptionalLong.of(7), OptionalLong.of(8), OptionalLong.of(9))),
            Map.entry(map(String.class, Long.class), Map.of("oom_kill", 1L)),
            Map.entry(CgroupSnapshot.Pressure.class.getName(), new CgroupSnapshot.Pressure(1, 2, 3, 4,
                    OptionalDouble.of(0.5), OptionalDouble.empty(), OptionalDouble.empty(), OptionalLong.empty())),
            Map.entry(CgroupSnapshot.Binding.class.getName(), new CgroupSnapshot.Binding("/sys/fs/cgroup/x", 2, 1)),
            Map.entry(CgroupSnapshot.Pids.class.getName(), new CgroupSnapshot.Pids("/sys/fs/cgroup/x", 3, 4)),
            Map.entry(list(JvmSnapshot.Pool.class), List.of(new JvmSnapshot.Pool("G1 Old Gen", true, 1, 2, OptionalLong.empty()))),
            Map.entry(list(JvmSnapshot.BufferPool.class), List.of(new JvmSnapshot.BufferPool("direct", 1, 2, 2))),
            Map.entry(map(String.class, JvmSnapshot.NmtCategory.class), Map.of("Class", new JvmSnapshot.NmtCategory("Class", 2, 1, 1))));

    private static String list(Class<?> element) {
        return List.class.getName() + "<" + element.getName() + ">";
    }

    private static String map(Class<?> key, Class<?> value) {
        return Map.class.getName() + "<" + key.getName() + ", " + value.getName() + ">";
    }

    private static Object builder(Class<?> type) throws ReflectiveOperationException {
        return type.getMethod("builder").invoke(null);
    }

    private static Object toBuilder(Record r) throws ReflectiveOperationException {
        return r.getClass().getMethod("toBuilder").invoke(r);
    }

    private static Record build(Object builder) throws ReflectiveOperationException {
        return (Record) builder.getClass().getMethod("build").invoke(builder);
    }

    private static Object get(Record r, RecordComponent c) throws ReflectiveOperationException {
        return c.getAccessor().invoke(r);
    }

    /** Calls the setter named like {@code c}, which takes its type and returns the builder itself. */
    private static void set(Object builder, RecordComponent c, Object value) throws ReflectiveOperationException {
        Method setter = builder.getClass().getMethod(c.getName(), c.getType());
        try {
            assertSame(builder, setter.invoke(builder, value), c.getName() + " returns the builder");
        } catch (InvocationTargetException e) {
            throw new AssertionError(c.getName() + "(" + value + ")", e.getCause());
        }
    }
}
