package dev.headroom.internal.budget;

import dev.headroom.Budget;
import dev.headroom.GovernorState;

/**
 * Where budgets come from. Called only from the sampler thread, one call at a time, so an
 * implementation may keep trend state without locking. It must not throw for a reading it cannot
 * make (that is an entry in {@link Budget#errors()}); if it throws anyway, the sampler reports it
 * once and tries again next period.
 */
public interface BudgetSource extends AutoCloseable {

    /** Takes one sample and returns the budget, carrying {@code state} as its governor state. */
    Budget sample(GovernorState state);

    /** Releases what the source holds (open files, caches). */
    @Override
    void close();
}
