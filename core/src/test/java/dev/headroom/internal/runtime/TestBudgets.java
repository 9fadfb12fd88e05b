package dev.headroom.internal.runtime;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.JvmSnapshot;
import dev.headroom.internal.budget.BudgetSource;
import dev.headroom.internal.clock.Ticker;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/** Budgets with chosen figures, and a source that serves them. */
public final class TestBudgets {
    public static final long MIB = 1L << 20;

    private TestBudgets() {
    }

    /** File stores where every directory is an ext4 disk with a terabyte free: heap dumps are never refused. */
    public static dev.headroom.internal.governor.HeapDumps.FileStores roomyDisk() {
        return new dev.headroom.internal.governor.HeapDumps.FileStores() {
            @Override
            public String type(java.nio.file.Path d) {
                return "ext4";
            }

            @Override
            public long usableSpace(java.nio.file.Path d) {
                return 1L << 40;
            }
        };
    }

    public static Budget budget(long timeMillis, long workingSet, OptionalLong limit, long heapUsed, GovernorState state) {
        List<Budget.Component> components = new ArrayList<>();
        long heap = Math.min(workingSet, heapUsed);
        components.add(new Budget.Component("heap", heap, "test", false));
        if (workingSet > heap) {
            components.add(new Budget.Component("direct_buffers", workingSet - heap, "test", false));
        }
        JvmSnapshot jvm = JvmSnapshot.builder()
                .collector("G1")
                .heapUsedBytes(heapUsed)
                .heapCommittedBytes(heapUsed)
                .threadCount(10)
                .threadStackBytes(10 * MIB)
                .build();
        OptionalLong headroom = limit.isPresent() ? OptionalLong.of(limit.getAsLong() - workingSet) : OptionalLong.empty();
        return Budget.builder()
                .timeMillis(timeMillis)
                .jvm(jvm)
                .components(components)
                .workingSetBytes(workingSet)
                .limitBytes(limit)
                .headroomBytes(headroom)
                .governor(state)
                .build();
    }

    public static Budget budget(long workingSet, long limit) {
        return budget(0, workingSet, OptionalLong.of(limit), workingSet / 2, GovernorState.initial());
    }

    /** A source whose working set is whatever {@code workingSet} says at sample time. */
    public static final class Source implements BudgetSource {
        private final Ticker ticker;
        private final LongSupplier workingSet;
        private final OptionalLong limit;
        public volatile RuntimeException failNext;
        public volatile boolean closed;
        public volatile Thread lastThread;

        public Source(Ticker ticker, LongSupplier workingSet, OptionalLong limit) {
            this.ticker = ticker;
            this.workingSet = workingSet;
            this.limit = limit;
        }

        @Override
        public Budget sample(GovernorState state) {
            lastThread = Thread.currentThread();
            RuntimeException f = failNext;
            if (f != null) {
                failNext = null;
                throw f;
            }
            long ws = workingSet.getAsLong();
            return budget(ticker.currentTimeMillis(), ws, limit, ws / 2, state);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
