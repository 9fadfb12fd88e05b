package dev.headroom.internal.governor.softlimit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The reclaim budget's books: what is charged, what of it is the collector's, what the window keeps. */
class ReclaimLedgerTest {
    private static final long S = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    @Test
    void theBudgetIsItsShareOfTheProcesssCpuOverTheLastMinute() {
        ReclaimLedger ledger = new ReclaimLedger(5);
        for (int t = 0; t <= 90; t++) {
            ledger.sample(t * S, t * S / 2, t * S / 20);          // half a core, a tenth of it GC
        }
        ReclaimLedger.Use use = ledger.use();
        assertEquals(1500 * MS, use.allowanceNanos(), "5% of 30 s of CPU over the last 60 s");
        assertEquals(3 * S, ledger.gcCpuSince(30 * S), "the collector's CPU over the same minute");
    }

    @Test
    void anIdleProcessStillGetsItsShareOfATenthOfACore() {
        ReclaimLedger ledger = new ReclaimLedger(5);
        for (int t = 0; t <= 60; t++) {
            ledger.sample(t * S, 0, 0);
        }
        assertEquals(300 * MS, ledger.use().allowanceNanos(), "5% of 0.1 core over 60 s");
    }

    @Test
    void chargesLeaveTheWindowAndTheirGcPartIsKeptApart() {
        ReclaimLedger ledger = new ReclaimLedger(5);
        ledger.sample(0, 0, 0);
        ledger.charge(10 * S, 500 * MS, 300 * MS);    // a judged reclaim: regrowth GC 300 ms, refaults 200 ms
        ledger.charge(20 * S, 40 * MS, 40 * MS);      // a forced collection: all of it GC
        ledger.sample(30 * S, 15 * S, S);
        assertEquals(540 * MS, ledger.use().usedNanos());
        assertEquals(340 * MS, ledger.chargedGcSince(0), "the collector's work among the charges");
        assertEquals(40 * MS, ledger.chargedGcSince(15 * S), "only the charges after the time asked");
        ledger.charge(40 * S, 100 * MS, 500 * MS);    // a GC part larger than the charge is the charge
        assertEquals(100 * MS, ledger.chargedGcSince(30 * S));
        ledger.sample(85 * S, 40 * S, 2 * S);
        assertEquals(100 * MS, ledger.use().usedNanos(), "the charges older than a minute are gone");
        assertEquals(640 * MS, ledger.use().totalNanos(), "the total keeps everything");
    }
}
