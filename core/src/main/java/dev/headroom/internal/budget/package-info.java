/**
 * The budget: each sample, the readers' snapshots (cgroup, {@code /proc}, JVM) become one immutable
 * {@link dev.headroom.Budget}. {@link dev.headroom.internal.budget.BudgetSampler} is the real
 * {@link dev.headroom.internal.budget.BudgetSource} (status every sample, smaps_rollup and pagemap on
 * a slower schedule), {@link dev.headroom.internal.budget.BudgetAssembler} keeps what outlives a
 * sample (growth trend, recommender, sizing check), {@link dev.headroom.internal.budget.BudgetCalculator}
 * splits the working set into components that add up to it, and
 * {@link dev.headroom.internal.budget.MxBeanOnlyBudgetSource} stands in when the readers cannot open.
 * Budget layer, above the readers and the clock. Owned by the sampler thread: one call at a time,
 * no locks; only the budgets it returns are shared.
 */
package dev.headroom.internal.budget;
