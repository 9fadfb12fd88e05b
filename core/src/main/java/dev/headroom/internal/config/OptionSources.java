package dev.headroom.internal.config;

import dev.headroom.HeadroomConfig;
import dev.headroom.HeadroomConfig.Builder;
import dev.headroom.HeadroomConfig.Loaded;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where options come from and which one wins: the string form, a map, and the agent's four
 * sources (agent arguments over {@code headroom.*} system properties over {@code HEADROOM_*}
 * environment variables over the {@code config=} file, see {@link ConfigFile}). Strict readers throw on the first problem; {@link #load} collects
 * every problem and keeps going, so the application still starts.
 */
public final class OptionSources {
    private static final String PROPERTY_PREFIX = "headroom.";
    private static final String ENVIRONMENT_PREFIX = "HEADROOM_";
    private static final String ENDPOINT_OFF = "the Prometheus endpoint stays off: Headroom never serves it with less "
            + "protection (TLS, authentication) than asked";

    private OptionSources() {
    }

    /** {@code headroom.<key>}. */
    public static String systemProperty(String key) {
        return PROPERTY_PREFIX + key;
    }

    /** {@code HEADROOM_<KEY>}, the key camelCase to UPPER_SNAKE. */
    public static String environmentVariable(String key) {
        return ENVIRONMENT_PREFIX + Values.upperSnake(key);
    }

    /** {@link HeadroomConfig#parse(String)}. */
    public static HeadroomConfig parse(String spec) {
        Builder b = HeadroomConfig.builder();
        for (Map.Entry<String, String> e : splitSpec(spec, true, null).entrySet()) {
            b.set(e.getKey(), e.getValue());
        }
        return b.build();
    }

    /** {@link HeadroomConfig#fromMap(Map)}. */
    public static HeadroomConfig fromMap(Map<String, String> options) {
        Builder b = HeadroomConfig.builder();
        Map<String, String> seen = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : options.entrySet()) {
            Option o = Option.named(e.getKey());
            String earlier = seen.put(o.key(), e.getKey());
            if (earlier != null) {
                throw new IllegalArgumentException("headroom option " + o.key() + " given twice (as '" + earlier
                        + "' and '" + e.getKey() + "')");
            }
            if (e.getValue() != null) {
                o.set(b, e.getValue());
            }
        }
        return b.build();
    }

    /**
     * {@link HeadroomConfig#load(String, Map, Map)}.
     *
     * @param files reads the {@code config=} file
     */
    public static Loaded load(String agentArgs, Map<String, String> systemProperties, Map<String, String> environment,
                              SmallFiles files) {
        List<String> problems = new ArrayList<>();
        // Later sources overwrite earlier ones; a key keeps the place it was first chosen at.
        Map<Option, String> chosen = new LinkedHashMap<>();
        Map<Option, String> where = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : environment.entrySet()) {
            String name = e.getKey();
            if (name.startsWith(ENVIRONMENT_PREFIX)) {
                Option o = Option.find(name.substring(ENVIRONMENT_PREFIX.length()));
                if (o != null) {
                    chosen.put(o, e.getValue());
                    where.put(o, "environment " + name);
                }
            }
        }
        for (Map.Entry<String, String> e : systemProperties.entrySet()) {
            String name = e.getKey();
            if (name.startsWith(PROPERTY_PREFIX)) {
                Option o = Option.find(name.substring(PROPERTY_PREFIX.length()));
                if (o == null) {
                    problems.add("unknown system property " + Values.printable(name) + Option.knownKeysHint());
                } else {
                    chosen.put(o, e.getValue());
                    where.put(o, "system property " + name);
                }
            }
        }
        for (Map.Entry<String, String> e : splitSpec(agentArgs, false, problems).entrySet()) {
            Option o = Option.find(e.getKey());
            if (o == null) {
                problems.add("unknown agent option '" + Values.printable(e.getKey()) + "'" + Option.knownKeysHint());
            } else {
                chosen.put(o, e.getValue());
                where.put(o, "agent argument " + e.getKey());
            }
        }
        String configFile = chosen.get(Option.CONFIG);
        if (configFile != null && !Values.isOff(configFile) && Values.controlCharAt(configFile.trim()) < 0) {
            Path file = parsedPath(configFile);
            if (file != null) {
                // Lowest of the four: the file fills in only what no other source set.
                for (Map.Entry<Option, String> e : ConfigFile.read(file, files, problems).entrySet()) {
                    if (chosen.putIfAbsent(e.getKey(), e.getValue()) == null) {
                        where.put(e.getKey(), "config file " + Values.printable(file.toString()));
                    }
                }
            }
        }
        Builder b = HeadroomConfig.builder();
        boolean protectionRejected = false;
        for (Map.Entry<Option, String> e : chosen.entrySet()) {
            try {
                e.getKey().set(b, e.getValue());
            } catch (IllegalArgumentException ex) {
                problems.add(ex.getMessage() + " (from " + where.get(e.getKey()) + "); using the default "
                        + e.getKey().defaultValue());
                protectionRejected |= e.getKey().protectsEndpoint();
            }
        }
        if (protectionRejected && chosen.containsKey(Option.PROMETHEUS)) {
            // The default of a protection option is "none": falling back to it would serve the page
            // with less protection than asked. Keep the endpoint off instead.
            b.prometheus(null);
            problems.add(ENDPOINT_OFF);
        }
        HeadroomConfig config = null;
        for (int attempt = 0; config == null; attempt++) {
            try {
                config = b.build();
            } catch (IllegalArgumentException conflict) {
                if (attempt >= 2) {
                    throw conflict; // each fallback below removes its conflict; a third cannot happen
                }
                if (conflict.getMessage().startsWith(Option.ENDPOINT_CONFLICT)) {
                    problems.add(conflict.getMessage() + "; " + ENDPOINT_OFF);
                    b.prometheus(null).prometheusBasicAuthUser(null).prometheusBasicAuthPasswordHash(null)
                            .prometheusTlsKeyStorePasswordFile(null);
                } else {
                    // Otherwise build() rejects only levels that contradict each other; the default levels do not.
                    HeadroomConfig d = HeadroomConfig.defaults();
                    problems.add(conflict.getMessage() + "; using the defaults warnAt=" + d.warnAt() + " and criticalAt=" + d.criticalAt());
                    b.warnAt(d.warnAt()).criticalAt(d.criticalAt());
                }
            }
        }
        return new Loaded(config, problems);
    }

    /** The path a {@code config} value names; null when it is no path (setting the option reports that). */
    private static Path parsedPath(String value) {
        try {
            return Values.parsePath(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Splits {@code a=1,b=2}. Strict mode throws on a malformed pair or a repeated key; lenient
     * mode adds a problem and skips it. Values cannot contain commas.
     */
    private static Map<String, String> splitSpec(String spec, boolean strict, List<String> problems) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, String> normalizedSeen = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return out;
        }
        for (String part : spec.split(",", -1)) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            String problem = null;
            if (eq <= 0) {
                problem = "headroom option '" + Values.printable(part.trim()) + "' is malformed: expected key=value";
            } else {
                String key = part.substring(0, eq).trim();
                String earlier = normalizedSeen.put(Values.normalizeKey(key), key);
                if (earlier != null) {
                    problem = "headroom option " + Values.printable(key) + " given twice";
                } else {
                    out.put(key, part.substring(eq + 1).trim());
                }
            }
            if (problem != null) {
                if (strict) {
                    throw new IllegalArgumentException(problem);
                }
                problems.add(problem);
            }
        }
        return out;
    }
}
