package dev.headroom.internal.governor.softlimit;

import static dev.headroom.internal.governor.softlimit.Rig.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headroom.ReclaimRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The idle policy only says when: a replacement gets the same mechanism and sees every outcome. */
class ReclaimPolicyTest {

    /** Reclaims at the samples it is told to, and records what it saw. */
    private static final class Scripted implements ReclaimPolicy {
        final List<Integer> reclaimAt = new ArrayList<>();
        final List<ReclaimOutcome> outcomes = new ArrayList<>();
        int observed;
        int asked;

        @Override
        public void observe(Reading reading) {
            observed++;
        }

        @Override
        public Optional<Reclaim> due(Reading reading) {
            asked++;
            return reclaimAt.contains(observed) ? Optional.of(new Reclaim(123 * MIB, "the script says so")) : Optional.empty();
        }

        @Override
        public void reclaimed(ReclaimOutcome outcome) {
            outcomes.add(outcome);
        }
    }

    @Test
    void aReplacementPolicyDecidesWhenAndTheControllerDoesTheRest() {
        Scripted policy = new Scripted();
        policy.reclaimAt.add(3);
        Rig rig = Rig.withPolicy("G1", "idleReclaimAfter=1h", policy).heap(600, 550).collectsTo(40, 60);
        rig.events.listening = true;
        rig.busy(1).busy(1);
        assertEquals(0, rig.levers.collections);
        rig.busy(1);                                      // busy by any heuristic, but the script says now
        assertEquals(1, rig.levers.collections, rig.events::describe);
        assertEquals(List.of("MinHeapFreeRatio=10", "MaxHeapFreeRatio=30", "MaxHeapFreeRatio=70", "MinHeapFreeRatio=40"),
                rig.levers.writes, "an idle collection: tight free ratios, put back after");
        ReclaimRequest request = rig.events.requests.get(0);
        assertEquals(ReclaimRequest.Level.IDLE, request.level());
        assertEquals(123 * MIB, request.bytesWanted());
        RecordingEvents.Event collect = rig.events.withAction("collect").get(0);
        assertEquals("idle_reclaim", collect.name());
        assertTrue(collect.message().startsWith("idle reclaim: the script says so: 1 collection"), collect.message());
        assertEquals(1, policy.outcomes.size());
        assertTrue(policy.outcomes.get(0).idle());
        assertEquals(540L * MIB, policy.outcomes.get(0).bytesReturned());
        assertEquals(3, policy.observed);
    }

    @Test
    void thePolicyObservesEverySampleButIsAskedOnlyWhenTheSoftLimitDoesNotPress() {
        Scripted policy = new Scripted();
        Rig rig = Rig.withPolicy("G1", "softLimit=500m,idleReclaimAfter=1h", policy).heap(300, 200);
        rig.busy(1).busy(1);
        assertEquals(2, policy.asked);
        rig.heap(480, 470).busy(1).busy(1);               // ws 540 MiB: the soft limit presses
        assertEquals(4, policy.observed);
        assertEquals(2, policy.asked);
    }

    @Test
    void withIdleReclaimOffThePolicyIsNeverAsked() {
        Scripted policy = new Scripted();
        policy.reclaimAt.add(1);
        Rig rig = Rig.withPolicy("G1", "idleReclaim=false,softLimit=900m", policy).heap(300, 200);
        rig.busy(1).busy(1);
        assertEquals(0, policy.asked);
        assertEquals(0, rig.levers.collections);
    }
}
