package dev.headroom;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeadroomConfigTest {
    /** A well-formed password hash (what it hashes does not matter here). */
    static final String HASH = "pbkdf2-sha256:10000:0001020304050607:"
            + "4c2a0f5f5f0b2c0c3d2b0e6a1d7f0a9b8c7d6e5f4a3b2c1d0e0f1a2b3c4d5e6f";

    private static final String EVERY_KEY_CHANGED = "interval=250ms,watchInterval=off,warnAt=70%,criticalAt=900m,heapDumpAt=92.5%,"
            + "heapDumpDir=/dumps,heapDumpAllowTmpfs=true,heapDumpOnOutOfMemory=false,heapDumpMinInterval=90s,softLimit=768m,gcCpuCap=25%,"
            + "idleReclaim=false,idleReclaimAfter=2m,reclaimCpuBudget=12.5%,trimNativeHeap=false,exitAt=98%,exitCode=3,terminationMessage=/tmp/termination-log,eventLog=/var/log/h.jsonl,"
            + "prometheus=[::1]:9404,prometheusTlsKeyStore=/etc/h/ks.p12,prometheusTlsKeyStorePasswordFile=/etc/h/ks.pass,"
            + "prometheusBasicAuthUser=prom,prometheusBasicAuthPasswordHash=" + HASH + ",prometheusBearerTokenFile=/etc/h/token,"
            + "jmx=false,jmxWritable=true,channel=off,who=on,attachToTools=true,root=/tmp/fixture,quiet=true,log=Both,config=/etc/headroom/headroom.properties";

    @Test
    void defaultsAreTheDocumentedOnes() {
        HeadroomConfig c = HeadroomConfig.defaults();
        assertEquals(Duration.ofSeconds(1), c.interval());
        assertEquals(HeadroomConfig.Size.ofPercent(85), c.warnAt());
        assertEquals(HeadroomConfig.Size.ofPercent(95), c.criticalAt());
        assertTrue(c.heapDumpAt().isOff());
        assertTrue(c.softLimit().isOff());
        assertTrue(c.exitAt().isOff());
        assertEquals(75, c.exitCode());
        assertEquals(50.0, c.gcCpuCap());
        assertTrue(c.jmx());
        assertFalse(c.jmxWritable());
        assertFalse(c.attachToTools());
        assertTrue(c.channel());
        assertTrue(c.eventLog().isEmpty());
        assertTrue(c.prometheus().isEmpty());
        assertEquals(Path.of("/"), c.root());
        assertEquals(c, HeadroomConfig.parse(""));
        assertEquals(c, HeadroomConfig.parse(null));
    }

    @Test
    void everyKeyParsesAndRoundTripsThroughToString() {
        HeadroomConfig c = HeadroomConfig.parse(EVERY_KEY_CHANGED);
        assertEquals(Duration.ofMillis(250), c.interval());
        assertEquals(Duration.ZERO, c.watchInterval(), "off");
        assertEquals(OptionalLong.of(900L << 20), c.criticalAt().bytes());
        assertEquals(92.5, c.heapDumpAt().percent().getAsDouble());
        assertEquals(Path.of("/dumps"), c.heapDumpDir().orElseThrow());
        assertEquals(Duration.ofSeconds(90), c.heapDumpMinInterval());
        assertEquals(25.0, c.gcCpuCap());
        assertEquals(3, c.exitCode());
        InetSocketAddress p = c.prometheus().orElseThrow();
        assertEquals("::1", p.getHostString());
        assertEquals(9404, p.getPort());
        assertTrue(c.quiet());
        assertFalse(c.channel());
        assertEquals(HeadroomConfig.Log.BOTH, c.log());

        HeadroomConfig again = HeadroomConfig.parse(c.toString());
        assertEquals(c, again);
        assertEquals(c.toString(), again.toString());
        // Every key differs from its default, so the short form names all of them.
        assertEquals(HeadroomConfig.options().size(), c.toSpecDifferingFromDefaults().split(",").length);
    }

    @Test
    void optionsListEveryKeyOnceWithItsDefault() {
        List<HeadroomConfig.OptionDoc> docs = HeadroomConfig.options();
        Set<String> keys = docs.stream().map(HeadroomConfig.OptionDoc::key).collect(Collectors.toSet());
        assertEquals(docs.size(), keys.size());
        assertEquals(Set.of("interval", "watchInterval", "warnAt", "criticalAt", "heapDumpAt", "heapDumpDir", "heapDumpAllowTmpfs", "heapDumpOnOutOfMemory",
                "heapDumpMinInterval", "softLimit", "gcCpuCap", "idleReclaim", "idleReclaimAfter", "reclaimCpuBudget", "trimNativeHeap",
                "exitAt", "exitCode", "terminationMessage", "eventLog", "prometheus", "prometheusTlsKeyStore", "prometheusTlsKeyStorePasswordFile",
                "prometheusBasicAuthUser", "prometheusBasicAuthPasswordHash", "prometheusBearerTokenFile", "jmx", "jmxWritable", "channel", "who", "attachToTools", "root", "quiet", "log", "config"), keys);
        HeadroomConfig.OptionDoc dump = docs.stream().filter(d -> d.key().equals("heapDumpMinInterval")).findFirst().orElseThrow();
        assertEquals("1h", dump.defaultValue());
        assertEquals("HEADROOM_HEAP_DUMP_MIN_INTERVAL", dump.environmentVariable());
        assertEquals("headroom.heapDumpMinInterval", dump.systemProperty());
        // Each documented default parses back to the default config.
        Map<String, String> defaults = new LinkedHashMap<>();
        docs.forEach(d -> defaults.put(d.key(), d.defaultValue()));
        assertEquals(HeadroomConfig.defaults(), HeadroomConfig.fromMap(defaults));
    }

    @Test
    void sizesAcceptBytesUnitsAndPercentagesAndResolveAgainstTheLimit() {
        assertEquals(OptionalLong.of(268435456), HeadroomConfig.Size.parse("268435456").bytes());
        assertEquals(OptionalLong.of(512L << 20), HeadroomConfig.Size.parse("512m").bytes());
        assertEquals(OptionalLong.of(512L << 20), HeadroomConfig.Size.parse("512MiB").bytes());
        assertEquals(OptionalLong.of(2L << 30), HeadroomConfig.Size.parse("2G").bytes());
        assertEquals(OptionalLong.of(64L << 10), HeadroomConfig.Size.parse("64k").bytes());
        HeadroomConfig.Size pct = HeadroomConfig.Size.parse("85%");
        assertEquals(OptionalLong.of(870L * (1 << 20) + 419430L), pct.resolve(OptionalLong.of(1L << 30)));
        assertEquals(OptionalLong.empty(), pct.resolve(OptionalLong.empty()), "a percentage needs a limit");
        assertEquals(OptionalLong.of(100), HeadroomConfig.Size.parse("100").resolve(OptionalLong.empty()));
        assertTrue(HeadroomConfig.Size.parse("off").resolve(OptionalLong.of(100)).isEmpty());
        assertEquals("1536m", HeadroomConfig.Size.ofBytes(1536L << 20).toString());
        assertEquals("1000", HeadroomConfig.Size.ofBytes(1000).toString());
        for (String bad : new String[] {"", "0", "-5m", "5x", "m", "101%", "0%", "12.5m", "abc%", "99999999999999999999"}) {
            assertThrows(IllegalArgumentException.class, () -> HeadroomConfig.Size.parse(bad), bad);
        }
    }

    @Test
    void badValueMessageNamesKeyValueAndAcceptedForms() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HeadroomConfig.parse("interval=1s,warnAt=lots"));
        assertTrue(e.getMessage().contains("warnAt=lots"), e.getMessage());
        assertTrue(e.getMessage().contains("k/m/g") && e.getMessage().contains("85%"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> HeadroomConfig.parse("interval=5"));
        assertTrue(e.getMessage().contains("interval=5") && e.getMessage().contains("ms, s, m"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> HeadroomConfig.parse("warnAt=85%,warnat=80%"));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> HeadroomConfig.parse("warnLevel=85%"));
        assertTrue(e.getMessage().contains("warnLevel") && e.getMessage().contains("warnAt"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> HeadroomConfig.parse("jmx"));
        assertTrue(e.getMessage().contains("key=value"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> HeadroomConfig.parse("warnAt=90%,criticalAt=80%"));
        assertTrue(e.getMessage().contains("warnAt must be below criticalAt"), e.getMessage());

        assertThrows(IllegalArgumentException.class, () -> HeadroomConfig.parse("exitCode=0"));
        assertThrows(IllegalArgumentException.class, () -> HeadroomConfig.parse("interval=5ms"));
        assertThrows(IllegalArgumentException.class, () -> HeadroomConfig.parse("prometheus=host:99999"));
        assertThrows(IllegalArgumentException.class, () -> HeadroomConfig.parse("gcCpuCap=0"));
        assertThrows(IllegalArgumentException.class, () -> HeadroomConfig.parse("jmx=maybe"));
    }

    @Test
    void loadTakesAgentArgsOverSystemPropertiesOverEnvironment() {
        HeadroomConfig.Loaded l = HeadroomConfig.load("warnAt=70%",
                Map.of("headroom.warnAt", "75%", "headroom.criticalAt", "90%", "unrelated.property", "x"),
                Map.of("HEADROOM_WARN_AT", "60%", "HEADROOM_CRITICAL_AT", "80%", "HEADROOM_EXIT_AT", "99%",
                        "HEADROOM_REQUIRE_CGROUP", "1", "PATH", "/bin"));
        assertEquals(List.of(), l.problems());
        assertEquals(HeadroomConfig.Size.ofPercent(70), l.config().warnAt());
        assertEquals(HeadroomConfig.Size.ofPercent(90), l.config().criticalAt());
        assertEquals(HeadroomConfig.Size.ofPercent(99), l.config().exitAt());
    }

    @Test
    void loadReportsEachBadValueAndKeepsThatKeysDefault() {
        HeadroomConfig.Loaded l = HeadroomConfig.load("interval=fast,exitAt=90%,bogus=1,noequals",
                Map.of("headroom.heapDumpAt", "lots", "headroom.typo", "x"), Map.of("HEADROOM_EXIT_CODE", "300"));
        HeadroomConfig c = l.config();
        assertEquals(Duration.ofSeconds(1), c.interval());
        assertTrue(c.heapDumpAt().isOff());
        assertEquals(75, c.exitCode());
        assertEquals(HeadroomConfig.Size.ofPercent(90), c.exitAt(), "good keys still apply");
        assertEquals(6, l.problems().size(), l.problems().toString());
        String all = String.join("\n", l.problems());
        assertTrue(all.contains("interval=fast") && all.contains("using the default 1s"), all);
        assertTrue(all.contains("heapDumpAt=lots") && all.contains("system property headroom.heapDumpAt"), all);
        assertTrue(all.contains("exitCode=300") && all.contains("environment HEADROOM_EXIT_CODE"), all);
        assertTrue(all.contains("unknown agent option 'bogus'"), all);
        assertTrue(all.contains("unknown system property headroom.typo"), all);
        assertTrue(all.contains("'noequals' is malformed"), all);
    }

    @Test
    void aValueWithAControlCharacterIsRejectedNamingTheOptionOnOneLine() {
        // A newline in a value once ended a [headroom] line early and let the rest pose as a line of its own.
        String forged = "/tmp/e.jsonl\n[headroom] pressure OK: all is well";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HeadroomConfig.parse("eventLog=" + forged));
        assertTrue(e.getMessage().startsWith("headroom option eventLog="), e.getMessage());
        assertTrue(e.getMessage().contains("control character"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());

        HeadroomConfig.Loaded l = HeadroomConfig.load(null,
                Map.of("headroom.heapDumpDir", "/dumps\r\u001b[2K", "headroom.exit\nAt", "90%"),
                Map.of("HEADROOM_EXIT_CODE", "3\u00070", "HEADROOM_WARN_AT", "80%\n"));
        assertFalse(l.config().heapDumpDir().isPresent(), "the default kept");
        assertEquals(75, l.config().exitCode());
        assertTrue(l.config().exitAt().isOff(), "a key with a newline is no key");
        assertEquals("80%", l.config().warnAt().toString(), "a trailing newline (a YAML block's) is trimmed, as before");
        assertEquals(3, l.problems().size(), l.problems().toString());
        for (String problem : l.problems()) {
            assertFalse(problem.chars().anyMatch(c -> c < 0x20 || c == 0x7f), "printable: " + problem);
        }
        String all = String.join("\n", l.problems());
        assertTrue(all.contains("heapDumpDir=/dumps\\r\\u001b[2K is invalid: it contains a control character"), all);
        assertTrue(all.contains("exitCode=3\\u00070 is invalid"), all);
        assertTrue(all.contains("unknown system property headroom.exit\\nAt"), all);
    }

    @Test
    void loadFallsBackToDefaultLevelsWhenTheyContradict() {
        HeadroomConfig.Loaded l = HeadroomConfig.load("warnAt=2g,criticalAt=1g", Map.of(), Map.of());
        assertEquals(1, l.problems().size());
        assertEquals(HeadroomConfig.defaults().warnAt(), l.config().warnAt());
        assertEquals(HeadroomConfig.defaults().criticalAt(), l.config().criticalAt());
    }

    @Test
    void aBadProtectionOptionKeepsThePrometheusEndpointOffInsteadOfServingItUnprotected() {
        HeadroomConfig.Loaded l = HeadroomConfig.load("prometheus=:9404,prometheusBasicAuthUser=prom,prometheusBasicAuthPasswordHash=md5:x",
                Map.of(), Map.of());
        assertTrue(l.config().prometheus().isEmpty(), l.problems().toString());
        assertTrue(String.join("\n", l.problems()).contains("stays off"), l.problems().toString());

        HeadroomConfig.Loaded half = HeadroomConfig.load("prometheus=:9404,prometheusBasicAuthUser=prom", Map.of(), Map.of());
        assertTrue(half.config().prometheus().isEmpty(), "a user without a password hash: " + half.problems());
        assertTrue(String.join("\n", half.problems()).contains("go together"), half.problems().toString());

        HeadroomConfig.Loaded token = HeadroomConfig.load("prometheus=:9404", Map.of(),
                Map.of("HEADROOM_PROMETHEUS_TLS_KEY_STORE_PASSWORD_FILE", "/etc/pass"));
        assertTrue(token.config().prometheus().isEmpty(), "a key store password without a key store: " + token.problems());

        HeadroomConfig.Loaded fine = HeadroomConfig.load("prometheus=:9404,prometheusBasicAuthUser=prom,prometheusBasicAuthPasswordHash="
                + HASH, Map.of(), Map.of());
        assertEquals(List.of(), fine.problems());
        assertEquals(Optional.of(9404), fine.config().prometheus().map(InetSocketAddress::getPort));
        assertThrows(IllegalArgumentException.class, () -> HeadroomConfig.parse("prometheusBasicAuthUser=prom"));
        assertThrows(IllegalArgumentException.class, () -> HeadroomConfig.parse("prometheusBasicAuthUser=a:b,prometheusBasicAuthPasswordHash=" + HASH));
        assertThrows(IllegalArgumentException.class, () -> HeadroomConfig.parse("prometheusBasicAuthUser=prom,"
                + "prometheusBasicAuthPasswordHash=pbkdf2-sha256:10:0001020304050607:" + "00".repeat(32)), "too few iterations");
    }

    @Test
    void fromMapAcceptsSpringStyleNamesAndIsStrict() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("warn-at", "80%");
        m.put("event-log", "/tmp/e.jsonl");
        m.put("jmx-writable", "true");
        HeadroomConfig c = HeadroomConfig.fromMap(m);
        assertEquals(HeadroomConfig.Size.ofPercent(80), c.warnAt());
        assertEquals(Path.of("/tmp/e.jsonl"), c.eventLog().orElseThrow());
        assertTrue(c.jmxWritable());
        assertThrows(IllegalArgumentException.class, () -> HeadroomConfig.fromMap(Map.of("warn-at", "x")));
        assertThrows(IllegalArgumentException.class, () -> HeadroomConfig.fromMap(Map.of("warn-at", "80%", "warnAt", "81%")));
    }

    @Test
    void mixedKindsAreCheckedOnlyOnceResolvable() {
        // 2g vs 95%: which is lower depends on the limit, so the builder accepts it.
        HeadroomConfig c = HeadroomConfig.parse("warnAt=2g,criticalAt=95%");
        assertEquals(OptionalLong.of(2L << 30), c.warnAt().resolve(OptionalLong.of(4L << 30)));
    }

    @Test
    void builderIsFailFastAndToBuilderCopies() {
        assertThrows(IllegalArgumentException.class, () -> HeadroomConfig.builder().interval(Duration.ofMillis(1)));
        assertThrows(IllegalArgumentException.class, () -> HeadroomConfig.builder().exitCode(256));
        assertThrows(IllegalArgumentException.class, () -> HeadroomConfig.Size.ofPercent(0));
        HeadroomConfig c = HeadroomConfig.parse(EVERY_KEY_CHANGED);
        assertEquals(c, c.toBuilder().build());
        assertEquals(HeadroomConfig.Size.ofPercent(50), c.toBuilder().warnAt(HeadroomConfig.Size.ofPercent(50)).build().warnAt());
        assertEquals(HeadroomConfig.Size.ofPercent(70), c.warnAt(), "a builder from toBuilder does not reach back");
        HeadroomConfig.Builder b = HeadroomConfig.builder();
        HeadroomConfig built = b.build();
        b.exitCode(9);
        assertEquals(75, built.exitCode(), "a built config does not follow its builder");
    }
}
