package dev.headroom.internal.budget;

import dev.headroom.Budget;
import dev.headroom.CgroupSnapshot;
import dev.headroom.JvmSnapshot;
import dev.headroom.ProcessSnapshot;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** Readings that were not taken, as honest empties: no value is ever a made-up zero. */
public final class EmptySnapshots {
    private EmptySnapshots() {
    }

    public static CgroupSnapshot cgroup(List<String> errors) {
        OptionalLong e = OptionalLong.empty();
        return new CgroupSnapshot(0, null, e, e, null, e, e, e, e, e, e, e, e,
                new CgroupSnapshot.MemoryStat(Map.of(), e, e, e, e, e, e, e, e, e),
                Map.of(), null, null, errors);
    }

    public static ProcessSnapshot process() {
        OptionalLong e = OptionalLong.empty();
        return new ProcessSnapshot(e, e, e, e, e, e, e, e, e, 0);
    }

    public static JvmSnapshot jvm() {
        return new JvmSnapshot("unknown", 0, 0, OptionalLong.empty(), List.of(), List.of(), OptionalLong.empty(),
                0, 0, true, 0, 0, Map.of(), false, OptionalLong.empty());
    }

    public static Budget.SizingCheck sizingNotEvaluated() {
        return new Budget.SizingCheck(false, false, 0, 0, List.of());
    }
}
