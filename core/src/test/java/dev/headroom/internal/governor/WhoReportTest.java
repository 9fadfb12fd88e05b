package dev.headroom.internal.governor;

import dev.headroom.Budget;
import dev.headroom.GovernorState;
import dev.headroom.HeadroomConfig;
import dev.headroom.HeadroomEvent;
import dev.headroom.internal.clock.FakeTicker;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.runtime.TestBudgets;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static dev.headroom.internal.runtime.TestBudgets.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The governor drives attribution by level and words its answer; the attribution here is a recording fake. */
class WhoReportTest {
    private static final long LIMIT = 1000 * MIB;
    private final FakeTicker ticker = new FakeTicker();
    private final RecordingEvents events = new RecordingEvents();
    private final Diagnostics diagnostics = new Diagnostics(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
    private final FakeAttribution attribution = new FakeAttribution();

    private static final class FakeAttribution implements Attribution {
        final List<String> switches = new ArrayList<>();
        boolean on;
        long onFor;
        int topCalls;

        @Override
        public void on(String why) {
            on = true;
            switches.add("on: " + why);
        }

        @Override
        public void off(String why) {
            on = false;
            switches.add("off: " + why);
        }

        @Override
        public boolean isOn() {
            return on;
        }

        @Override
        public long onForMillis() {
            return on ? onFor : 0;
        }

        @Override
        public Map<String, List<Site>> top(int perComponent) {
            topCalls += on ? 1 : 0;
            return !on ? Map.of() : Map.of("direct_buffers", List.of(
                    new Site("com.acme.Store.put (Store.java:88)", 75 * MIB, "liveBytes", 0.75),
                    new Site("com.acme.Log.append (Log.java:12)", 25 * MIB, "liveBytes", 0.25)));
        }
    }

    private Governor governor(String spec) {
        Governor g = new Governor(HeadroomConfig.parse(spec), events, diagnostics, Reclaimer.NONE, null, null, (p, c, b) -> { });
        g.attribution(attribution);
        return g;
    }

    private Budget sample(Governor g, long workingSet) {
        ticker.advanceMillis(1000);
        Budget b = TestBudgets.budget(ticker.currentTimeMillis(), workingSet, OptionalLong.of(LIMIT), 300 * MIB, GovernorState.initial());
        return g.onSample(b, ticker.nanoTime());
    }

    private Budget sampleIn(Governor g, long workingSet, long limit) {
        ticker.advanceMillis(1000);
        Budget b = TestBudgets.budget(ticker.currentTimeMillis(), workingSet, OptionalLong.of(limit), 100 * MIB, GovernorState.initial());
        return g.onSample(b, ticker.nanoTime());
    }

    @Test
    void everyBudgetCarriesTheWhoSectionWhileAttributionIsOnAndNoneWithout() {
        Governor g = governor("warnAt=80%,criticalAt=95%");
        assertNull(sample(g, 500 * MIB).who(), "off with nothing to say: no section");
        Budget.Who switching = sample(g, 850 * MIB).who();
        assertTrue(switching.on() && switching.mode().equals("auto") && switching.reason().equals("pressure WARN"), switching.toString());
        attribution.onFor = 2_500;
        Budget b = sample(g, 860 * MIB);
        Budget.Who w = b.who();
        assertEquals(OptionalLong.of(b.timeMillis() - 2_500), w.sinceMillis(), "since when it has been collecting");
        assertEquals(1, w.components().size());
        Budget.Who.Growing direct = w.components().get(0);
        assertEquals("direct_buffers", direct.component());
        assertEquals(List.of(new Budget.Who.Site("com.acme.Store.put (Store.java:88)", 75 * MIB, "liveBytes", 0.75),
                new Budget.Who.Site("com.acme.Log.append (Log.java:12)", 25 * MIB, "liveBytes", 0.25)), direct.sites());
        assertEquals(1, attribution.topCalls, "the sites are read once per sample, however many places quote them");

        Governor none = new Governor(HeadroomConfig.parse("warnAt=80%"), events, diagnostics, Reclaimer.NONE, null, null, (p, c, x) -> { });
        assertNull(sample(none, 900 * MIB).who(), "the library: never a section");
    }

    @Test
    void aLeaseHoldsAttributionOnAndTheModeGoesBackWhenItEndsOrExpires() {
        Governor g = governor("warnAt=80%");
        sample(g, 300 * MIB);
        Governor.WhoLease lease = g.whoLease(30, ticker.nanoTime());
        assertEquals("auto", lease.previousMode());
        assertEquals(List.of("on: report --who"), attribution.switches);
        assertEquals("on", g.whoMode());
        Budget held = sample(g, 300 * MIB);
        assertTrue(held.who().on() && held.who().reason().equals("report --who"), "auto does not switch it off at OK while held");
        assertEquals("report --who", events.named("who_mode").get(0).fields().get("by"));
        assertTrue(g.whoRenew(lease.id(), 0, ticker.nanoTime()));
        assertEquals("auto", g.whoMode());
        assertEquals("off: report --who done, pressure OK", attribution.switches.get(1), "off at once below WARN");
        assertFalse(g.whoRenew(lease.id(), 0, ticker.nanoTime()), "ended already");

        Governor.WhoLease forgotten = g.whoLease(5, ticker.nanoTime());
        assertTrue(g.whoRenew(forgotten.id(), 10, ticker.nanoTime()), "kept 10 s from now");
        for (int i = 0; i < 9; i++) {
            sample(g, 300 * MIB);
        }
        assertTrue(attribution.on, "still held at 9 s");
        sample(g, 300 * MIB);
        assertFalse(attribution.on, "a CLI that never came back: off when its lease expired");
        assertEquals("auto", g.whoMode());
    }

    @Test
    void aLeaseEndingNeverUndoesALaterRequestOrAnIncident() {
        Governor g = governor("warnAt=80%");
        sample(g, 300 * MIB);
        Governor.WhoLease lease = g.whoLease(30, ticker.nanoTime());
        g.whoMode("on");
        g.whoRenew(lease.id(), 0, ticker.nanoTime());
        assertEquals("on", g.whoMode(), "switched on over JMX meanwhile: stays on");
        assertTrue(attribution.on);

        g.whoMode("auto");
        sample(g, 900 * MIB);
        assertTrue(attribution.on, "WARN");
        Governor.WhoLease atWarn = g.whoLease(30, ticker.nanoTime());
        g.whoRenew(atWarn.id(), 0, ticker.nanoTime());
        assertTrue(attribution.on, "auto at WARN keeps it on");
    }

    @Test
    void aLeaseIsRefusedWithoutAttributionOrWhenItsOwnerSaidOff() {
        Governor none = new Governor(HeadroomConfig.parse("warnAt=80%"), events, diagnostics, Reclaimer.NONE, null, null, (p, c, x) -> { });
        IllegalStateException library = assertThrows(IllegalStateException.class, () -> none.whoLease(30, 0));
        assertTrue(library.getMessage().startsWith("this JVM has no attribution"), library.getMessage());
        Governor off = governor("who=off");
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> off.whoLease(30, 0));
        assertTrue(refused.getMessage().contains("who=off"), refused.getMessage());
        assertTrue(attribution.switches.isEmpty(), "nothing switched");
        assertEquals("off", off.whoMode());
    }

    @Test
    void onAtWarnOneAnswerPerIncidentOffWhenTheLevelFallsBack() {
        Governor g = governor("warnAt=80%,criticalAt=95%");
        sample(g, 500 * MIB);
        assertTrue(attribution.switches.isEmpty(), "nothing below WARN");
        sample(g, 850 * MIB);
        assertEquals(List.of("on: pressure WARN"), attribution.switches);
        assertTrue(events.named("who").isEmpty(), "no answer before it has collected");
        attribution.onFor = WhoReport.COLLECT_MILLIS;
        sample(g, 860 * MIB);
        sample(g, 870 * MIB);
        List<HeadroomEvent> who = events.named("who");
        assertEquals(1, who.size(), "one answer per incident");
        assertTrue(who.get(0).message().startsWith("who is growing (pressure WARN): direct_buffers +"), who.get(0).message());
        assertTrue(who.get(0).message().endsWith("\u2014 75% com.acme.Store.put (Store.java:88), 25% com.acme.Log.append (Log.java:12)"),
                who.get(0).message());
        sample(g, 960 * MIB);
        HeadroomEvent critical = events.named("pressure").get(1);
        assertEquals("CRITICAL", critical.fields().get("level"));
        assertTrue(critical.fields().containsKey("who") && critical.message().contains("; who: direct_buffers"), critical.message());
        for (int i = 0; i < 30; i++) {
            sample(g, 300 * MIB);
        }
        assertEquals("off: pressure back to OK", attribution.switches.get(attribution.switches.size() - 1));
        assertFalse(attribution.on);
    }

    @Test
    void autoDoesNotSpendTheLastHeadroomOnAttributionAndSaysSoOncePerIncident() {
        Governor g = governor("warnAt=85%,criticalAt=95%");
        long small = 256 * MIB;
        sampleIn(g, 220 * MIB, small); // WARN with 36 MiB left: attribution would take most of it
        assertTrue(attribution.switches.isEmpty(), attribution.switches.toString());
        sampleIn(g, 230 * MIB, small);
        List<HeadroomEvent> skipped = events.named("who_skipped");
        assertEquals(1, skipped.size(), "once per incident");
        assertEquals(36 * MIB, skipped.get(0).fields().get("headroomBytes"));
        assertTrue(skipped.get(0).message().contains("costs about 32 MiB") && skipped.get(0).message().contains("who=on"),
                skipped.get(0).message());
        for (int i = 0; i < 30; i++) {
            sampleIn(g, 100 * MIB, small); // still WARN for a few seconds, with room for it now: it may switch on
        }
        attribution.switches.clear();
        sampleIn(g, 225 * MIB, small);
        assertEquals(2, events.named("who_skipped").size(), "a new incident says it again");
        assertTrue(attribution.switches.isEmpty(), attribution.switches.toString());
        sample(g, 860 * MIB); // the 1000 MiB container: 140 MiB left is enough
        assertEquals(List.of("on: pressure WARN"), attribution.switches);
    }

    @Test
    void offNeverSwitchesOnByLevelAndOnStartsAtOnce() {
        Governor off = governor("who=off,warnAt=80%");
        sample(off, 900 * MIB);
        assertTrue(attribution.switches.isEmpty());
        off.whoMode("on");
        assertEquals(List.of("on: switched on by request"), attribution.switches);
        off.whoMode("off");
        assertFalse(attribution.on);

        FakeAttribution early = new FakeAttribution();
        Governor on = new Governor(HeadroomConfig.parse("who=on"), events, diagnostics, Reclaimer.NONE, null, null, (p, c, b) -> { });
        on.attribution(early);
        assertEquals(List.of("on: who=on"), early.switches);
        assertNull(events.named("who").stream().findFirst().orElse(null));
    }
}
