package dev.headroom.internal.jvm;

import dev.headroom.JvmSnapshot.NmtCategory;
import dev.headroom.internal.jvm.NmtReport.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NmtParserTest {

    private static final long KB = 1024;
    private static final long MB = 1024 * KB;

    @Test
    void jdk17SummaryGivesEveryCategoryAndTheThreadStacks() {
        NmtReport r = NmtParser.parse(NmtFixtures.text("17-summary"));
        assertEquals(Status.ENABLED, r.status());
        assertEquals(1543899 * KB, r.totalReservedBytes());
        assertEquals(170367 * KB, r.totalCommittedBytes());
        assertEquals(20, r.categories().size());
        assertEquals(new NmtCategory("Java Heap", 65536 * KB, 65536 * KB, 65536 * KB), r.categories().get("Java Heap"));
        // Class: its mmap is the compressed class space; the rest is malloc.
        NmtCategory klass = r.categories().get("Class");
        assertEquals(1825 * KB, klass.committedBytes());
        assertEquals(1536 * KB, klass.mmapCommittedBytes());
        assertEquals(289 * KB, klass.mallocAndArenaBytes());
        assertEquals(28, r.threadCount().getAsInt());
        assertEquals(28672 * KB, r.threadStackReservedBytes().getAsLong());
        assertEquals(1620 * KB, r.threadStackCommittedBytes().getAsLong());
        assertEquals(4106 * KB, r.committed("Other"), "4 MiB of direct buffers are NMT's Other");
        assertEquals(0, r.categories().get("Other").mmapCommittedBytes());
    }

    @Test
    void jdk21SummaryReadsThreadsLineAndDecimalCommaLocale() {
        NmtReport r = NmtParser.parse(NmtFixtures.text("21-summary"));
        assertEquals(Status.ENABLED, r.status());
        assertEquals(337926 * KB, r.totalCommittedBytes());
        assertEquals(27, r.threadCount().getAsInt());
        assertEquals(1872 * KB, r.threadStackCommittedBytes().getAsLong());
        assertEquals(12768 * KB, r.committed("Shared class space"));
        assertEquals(38280 * KB, r.categories().get("GC").mmapCommittedBytes());
        assertEquals(0, r.committed("Unknown"));
        assertTrue(r.categories().containsKey("Unknown"));
    }

    @Test
    void jdk25SummaryReadsTaggedMallocLines() {
        NmtReport r = NmtParser.parse(NmtFixtures.text("25-summary"));
        assertEquals(Status.ENABLED, r.status());
        assertEquals(171434 * KB, r.totalCommittedBytes());
        assertEquals(21, r.categories().size());
        assertEquals(26, r.threadCount().getAsInt());
        assertEquals(1560 * KB, r.threadStackCommittedBytes().getAsLong());
        assertEquals(1 * KB, r.committed("GCCardSet"));
        assertEquals(13908 * KB, r.committed("Shared class space"));
        assertEquals(4130 * KB, r.committed("Other"));
    }

    @ParameterizedTest
    @CsvSource({"17-summary-bytes, 169123531", "25-summary-bytes, 177244132"})
    void scaleOneGivesExactBytes(String folder, long total) {
        NmtReport r = NmtParser.parse(NmtFixtures.text(folder));
        assertEquals(total, r.totalCommittedBytes());
        assertEquals(67108864L, r.committed("Java Heap"));
    }

    @Test
    void megabyteScaleIsScaledPerValue() {
        NmtReport r = NmtParser.parse(NmtFixtures.text("25-summary-mb"));
        assertEquals(154 * MB, r.totalCommittedBytes());
        assertEquals(64 * MB, r.committed("Java Heap"));
        assertEquals(2 * MB, r.threadStackCommittedBytes().getAsLong());
    }

    @ParameterizedTest
    @CsvSource({"17-detail, 17-summary", "25-detail, 25-summary"})
    void detailReportIsReadUpToItsPerCallSitePart(String detail, String summary) {
        NmtReport d = NmtParser.parse(NmtFixtures.text(detail));
        NmtReport s = NmtParser.parse(NmtFixtures.text(summary));
        assertEquals(Status.ENABLED, d.status());
        // Same JVM build and program, another run: the same categories, and no call site mistaken for one.
        assertEquals(s.categories().keySet(), d.categories().keySet());
        assertTrue(d.threadStackCommittedBytes().isPresent());
        assertTrue(d.committed("Java Heap") > 0);
    }

    /** The categories must add up to the total line, give or take one unit of rounding per category. */
    @ParameterizedTest
    @ValueSource(strings = {"17-summary", "17-summary-bytes", "17-detail", "21-summary", "25-summary",
        "25-summary-bytes", "25-detail"})
    void categoriesAddUpToTheTotal(String folder) {
        NmtReport r = NmtParser.parse(NmtFixtures.text(folder));
        long sum = r.categories().values().stream().mapToLong(NmtCategory::committedBytes).sum();
        long unit = folder.endsWith("bytes") ? 1 : KB;
        assertEquals(r.totalCommittedBytes(), sum, r.categories().size() * unit, folder);
    }

    @ParameterizedTest
    @ValueSource(strings = {"17-off", "25-off"})
    void nmtOffSaysHowToTurnItOn(String folder) {
        NmtReport r = NmtParser.parse(NmtFixtures.text(folder));
        assertEquals(Status.NOT_ENABLED, r.status());
        assertFalse(r.enabled());
        assertTrue(r.message().contains("-XX:NativeMemoryTracking=summary"), r.message());
        assertTrue(r.categories().isEmpty());
    }

    @Test
    void unknownTextIsAFailureThatQuotesIt() {
        NmtReport r = NmtParser.parse("Unknown diagnostic command\n");
        assertEquals(Status.FAILED, r.status());
        assertTrue(r.message().contains("Unknown diagnostic command"), r.message());
        assertEquals(Status.FAILED, NmtParser.parse("").status());
        assertEquals(Status.FAILED, NmtParser.parse(null).status());
    }

    @Test
    void brokenNumberIsAFailureNotAnException() {
        String text = "Total: reserved=12KB, committed=oops\n-  Java Heap (reserved=1KB, committed=1KB)\n";
        NmtReport r = NmtParser.parse(text);
        assertEquals(Status.FAILED, r.status());
        assertTrue(r.message().contains("oops"), r.message());
    }
}
