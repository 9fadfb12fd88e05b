package dev.headroom.agent;

import dev.headroom.testkit.ApiBoundary;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

/**
 * The agent is Headroom's own front end and ships core inside its jar, so it may use internal
 * packages, but only these, each for a reason (docs/architecture.md, "The API boundary"). A new
 * one needs a line here, and a package no longer used must leave the list.
 */
class ApiBoundaryTest {
    static final Map<String, String> ALLOWED = Map.ofEntries(
            Map.entry("dev.headroom.internal.runtime",
                    "HeadroomAgent starts the JVM's one runtime with the agent's own parts (its stderr, the JMX delay "
                        + "under JBoss Modules) through HeadroomAccess, which keeps Parts out of the public API; the CLI "
                        + "reads JvmMarker to tell whether Headroom already runs in a target JVM and when its MXBean appears"),
            Map.entry("dev.headroom.internal.budget",
                    "report samples one full budget in the CLI's own JVM without starting a runtime or a governor "
                        + "(BudgetSampler, BudgetAssembler.Settings)"),
            Map.entry("dev.headroom.internal.clock",
                    "that one-shot sampler is given the system Ticker"),
            Map.entry("dev.headroom.internal.config",
                    "the agent prints option problems and refused one-shot requests with control characters escaped "
                        + "(Values.printable), so no value can pose as a [headroom] line of its own; report --interval takes a duration "
                        + "as the options do (Values.parseDuration)"),
            Map.entry("dev.headroom.internal.jvm",
                    "report's fallback without a breakdown reads the MXBeans itself (JvmReader); the one-shot report in "
                        + "a target JVM creates the platform MBean server on purpose (PlatformServer) so the heap is counted"),
            Map.entry("dev.headroom.internal.proc",
                    "report's fallback reads /proc/self/status under --root (ProcStatusReader, ProcessSnapshots)"),
            Map.entry("dev.headroom.internal.report",
                    "report prints the budget as the text report or the JSON schema (ReportText, ReportJson)"),
            Map.entry("dev.headroom.internal.watch",
                    "report lists every limit of its one-off budget as the runtime's budgets do (Watch.withConstraints); "
                        + "report --watch keeps one Watch open so the limits' growth builds up across frames"),
            Map.entry("dev.headroom.internal.channel",
                    "report --pid and report --watch --pid read a running Headroom's channel (ChannelClient, ChannelProtocol)"),
            Map.entry("dev.headroom.internal.governor",
                    "report --watch judges its own JVM's level with the governor's thresholds and hysteresis (Thresholds, PressureLevels); "
                            + "the agent's Who implements its Attribution SPI (docs/who.md): core cannot depend on Byte Buddy"),
            Map.entry("dev.headroom.internal.events",
                    "Who reports its switches, their times and its failures as events (EventSink)"));

    @Test
    void usesOnlyTheAllowedInternalPackages() {
        ApiBoundary.assertInternalUse(Path.of("src/main/java"), ALLOWED);
    }
}
