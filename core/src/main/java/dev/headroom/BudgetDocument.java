package dev.headroom;

import dev.headroom.internal.report.ReportJson;

import java.util.Map;

/**
 * A {@link Budget} in Headroom's one JSON schema, the shape {@code report --json}, the MXBean's
 * {@code BudgetJson}, the Spring actuator endpoint and the event log all use (docs/schema.md):
 * unknown figures are {@code null}, never 0.
 */
public final class BudgetDocument {
    private BudgetDocument() {
    }

    /** The budget as compact JSON text, one line. */
    public static String toJson(Budget budget) {
        return ReportJson.toJson(budget);
    }

    /**
     * The budget as a tree of plain JDK values (maps with keys in schema order, lists, strings,
     * numbers, booleans, nulls), for a JSON mapper of the application's own (Jackson, Gson).
     */
    public static Map<String, Object> toMap(Budget budget) {
        return ReportJson.tree(budget);
    }
}
