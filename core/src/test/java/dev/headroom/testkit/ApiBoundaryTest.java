package dev.headroom.testkit;

import dev.headroom.testkit.ApiBoundary.Reference;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ApiBoundaryTest {
    private static final Path FILE = Path.of("X.java");

    @Test
    void findsImportsStaticAndWildcardImportsAndQualifiedNamesInCode() {
        String source = """
                package dev.headroom.internal.budget;

                import dev.headroom.Budget;
                import static dev.headroom.internal.runtime.TestBudgets.MIB;
                import dev.headroom.internal.proc.*;

                class X {
                    Object o = dev.headroom.internal.governor.softlimit.SoftLimitReclaimers.create(null, null, null);
                    dev.headroom.internal.clock
                            .Ticker t;
                }
                """;
        assertEquals(List.of(
                        new Reference(FILE, 3, "dev.headroom", "Budget"),
                        new Reference(FILE, 4, "dev.headroom.internal.runtime", "TestBudgets"),
                        new Reference(FILE, 5, "dev.headroom.internal.proc", "*"),
                        new Reference(FILE, 8, "dev.headroom.internal.governor.softlimit", "SoftLimitReclaimers"),
                        new Reference(FILE, 9, "dev.headroom.internal.clock", "Ticker")),
                ApiBoundary.references(FILE, source));
    }

    @Test
    void commentsAndLiteralsAreNotUses() {
        String source = """
                package dev.headroom.agent;

                /** See {@link dev.headroom.internal.jmx.JmxPublisher}. */
                class X {
                    // dev.headroom.internal.runtime.HeadroomRuntime
                    /* dev.headroom.internal.budget.BudgetSampler */
                    String s = "dev.headroom.internal.report.ReportJson \\" dev.headroom.internal.jvm.JvmReader";
                    char c = '"';
                    String block = \"""
                            dev.headroom.internal.proc.ProcStatusReader
                            \""";
                }
                """;
        assertEquals(List.of(), ApiBoundary.references(FILE, source));
    }

    @Test
    void blankingKeepsLineNumbers() {
        String source = "/* a\n b */\nimport dev.headroom.Headroom;\n";
        assertEquals(List.of(new Reference(FILE, 3, "dev.headroom", "Headroom")), ApiBoundary.references(FILE, source));
    }
}
