package dev.headroom.internal.budget;

import dev.headroom.Budget;
import dev.headroom.CgroupSnapshot;
import dev.headroom.JvmSnapshot;
import dev.headroom.ProcessSnapshot;

import java.util.List;

/**
 * Readings that were not taken, as honest empties: no value is ever a made-up zero. They are the
 * builders' defaults ({@link CgroupSnapshot#builder()}, {@link JvmSnapshot#builder()},
 * {@link ProcessSnapshot#builder()}), named for the places that want to say so.
 */
public final class EmptySnapshots {
    private EmptySnapshots() {
    }

    public static CgroupSnapshot cgroup(List<String> errors) {
        return CgroupSnapshot.builder().errors(errors).build();
    }

    public static ProcessSnapshot process() {
        return ProcessSnapshot.builder().build();
    }

    public static JvmSnapshot jvm() {
        return JvmSnapshot.builder().build();
    }

    public static Budget.SizingCheck sizingNotEvaluated() {
        return Budget.SizingCheck.notEvaluated();
    }
}
