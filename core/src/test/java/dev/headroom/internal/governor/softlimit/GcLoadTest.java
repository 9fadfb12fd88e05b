package dev.headroom.internal.governor.softlimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GcLoadTest {
    private static final long S = 1_000_000_000L;

    @Test
    void aStopTheWorldPauseCostsEveryCore() {
        GcLoad load = new GcLoad();
        load.add(0, 0, 0, 0);
        // Serial: 0.5 s of pause per second, run by one thread (0.5 s of CPU) on a 2-core machine.
        load.add(S, S / 2, S / 2, S);
        assertEquals(0.5, load.load(2), 1e-9, "half the wall stopped: half the machine, not a quarter");
    }

    @Test
    void concurrentWorkCostsTheCpuItsThreadsBurn() {
        GcLoad load = new GcLoad();
        load.add(0, 0, 0, 0);
        // ZGC: 1.2 CPU-s of GC threads per second, 1 ms of pauses, 4 cores.
        load.add(S, 1_200_000_000L, 1_000_000L, 3 * S);
        assertEquals(0.3, load.load(4), 1e-9);
    }

    @Test
    void onlyTheLastTenSecondsCount() {
        GcLoad load = new GcLoad();
        load.add(0, 0, 0, 0);
        load.add(S, S, S, S);          // one second of full pause on 1 core
        for (int i = 2; i <= 12; i++) {
            load.add(i * S, S, S, i * S);
        }
        assertEquals(0.0, load.load(1), 1e-9, "the expensive second is older than the window");
        load.add(13 * S, 2 * S, 2 * S, 14 * S);
        assertEquals(0.1, load.load(1), 1e-9);
    }

    @Test
    void withoutThreadCpuThePauseAloneCounts() {
        GcLoad load = new GcLoad();
        load.add(0, -1, 0, -1);
        load.add(2 * S, -1, S, -1);
        assertEquals(0.5, load.load(2), 1e-9);
    }

    @Test
    void mutatorCpuIsProcessCpuMinusGc() {
        GcLoad load = new GcLoad();
        assertTrue(Double.isNaN(load.mutatorCores()));
        load.add(0, 0, 0, 0);
        load.add(S, S / 4, 0, S);
        assertEquals(0.75, load.mutatorCores(), 1e-9);
        load.add(2 * S, S / 4, 0, S);
        assertEquals(0.0, load.mutatorCores(), 1e-9);
    }

    @Test
    void staysBoundedWhenSampledVeryOften() {
        GcLoad load = new GcLoad();
        for (int i = 0; i < 10_000; i++) {
            load.add(i * 10_000_000L, i * 1_000_000L, 0, i * 10_000_000L);
        }
        assertEquals(0.1, load.load(1), 1e-6, "512 readings at 10 ms cover 5 s of the window");
    }
}
