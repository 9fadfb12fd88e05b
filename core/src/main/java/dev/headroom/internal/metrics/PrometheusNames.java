package dev.headroom.internal.metrics;

/**
 * The names Micrometer's {@code PrometheusNamingConvention} gives our meters, computed without
 * Micrometer so the agent's endpoint (JDK only) prints exactly what a Micrometer scrape prints:
 * dots become underscores, gauges and counters get their base unit as a suffix ({@code _bytes},
 * {@code _seconds}) unless the name already ends with it, and counters end in {@code _total}.
 * A test in headroom-micrometer checks every catalog name against the real convention.
 */
public final class PrometheusNames {
    private PrometheusNames() {
    }

    /** The Prometheus metric name of a meter; {@code counter} for a counter, false for a gauge. */
    public static String name(String dottedName, boolean counter, String baseUnit) {
        String n = dottedName.replace('.', '_');
        if (baseUnit != null && !n.endsWith("_" + baseUnit)) {
            n = n + "_" + baseUnit;
        }
        if (counter && !n.endsWith("_total")) {
            n = n + "_total";
        }
        return sanitize(n);
    }

    /** A Prometheus label name for a tag key (same rules as metric names, without {@code :}). */
    public static String label(String tagKey) {
        return sanitize(tagKey.replace('.', '_')).replace(':', '_');
    }

    private static String sanitize(String n) {
        StringBuilder sb = new StringBuilder(n.length() + 1);
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'
                    || (i > 0 && c >= '0' && c <= '9');
            if (i == 0 && c >= '0' && c <= '9') {
                sb.append('_').append(c);
            } else {
                sb.append(ok ? c : '_');
            }
        }
        return sb.toString();
    }
}
