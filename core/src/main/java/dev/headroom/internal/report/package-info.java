/**
 * A {@link dev.headroom.Budget} for readers outside the JVM. {@link dev.headroom.internal.report.ReportJson}
 * is the budget schema (docs/schema.md), written in this one place: the JSON document of
 * {@code report --json} and {@code report --pid --json}, the MXBean's {@code BudgetJson}, the tree the
 * actuator endpoint {@code /actuator/headroom} returns, and the budget and figures that events quote.
 * {@link dev.headroom.internal.report.ReportText} is the same budget as a table for people
 * ({@code report} without {@code --json}).
 *
 * <p>Both read the public records only; nothing here samples or decides. Internal: not an API.
 */
package dev.headroom.internal.report;
