package dev.headroom.internal.metrics;

import dev.headroom.Budget;
import dev.headroom.metrics.MeterCatalog;

import java.util.List;

/**
 * Renders the {@link MeterCatalog} for one budget in the Prometheus text exposition format 0.0.4:
 * per metric a {@code # HELP} and a {@code # TYPE} line, then one line per series. Meters the budget
 * cannot back are left out, as in a Micrometer scrape. Used by the agent's {@code prometheus=}
 * endpoint, which has no Micrometer.
 *
 * <p>Escaping follows the format: in HELP text {@code \} and line feed; in label values also
 * {@code "}. Values are printed as integers when they are whole (byte counts stay exact beyond
 * 2^53 only as far as {@code double} carries them), else in Java's shortest round-trip form, with
 * {@code NaN}, {@code +Inf} and {@code -Inf} spelled the Prometheus way.
 */
public final class PrometheusText {
    /** The Content-Type of the page. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {
    }

    /** The page for {@code budget}. */
    public static String render(Budget budget) {
        StringBuilder sb = new StringBuilder(4096);
        render(budget, sb);
        return sb.toString();
    }

    /** Appends the page for {@code budget} to {@code out}. */
    public static void render(Budget budget, StringBuilder out) {
        for (MeterCatalog.Meter m : MeterCatalog.all()) {
            List<MeterCatalog.Sample> samples = m.samples(budget);
            if (samples.isEmpty()) {
                continue;
            }
            String name = m.prometheusName();
            out.append("# HELP ").append(name).append(' ');
            escapeHelp(m.description(), out);
            out.append('\n');
            out.append("# TYPE ").append(name).append(' ')
                    .append(m.type() == MeterCatalog.Type.COUNTER ? "counter" : "gauge").append('\n');
            for (MeterCatalog.Sample s : samples) {
                out.append(name);
                List<String> keys = m.tagKeys();
                if (!keys.isEmpty()) {
                    out.append('{');
                    for (int i = 0; i < keys.size(); i++) {
                        if (i > 0) {
                            out.append(',');
                        }
                        out.append(PrometheusNames.label(keys.get(i))).append("=\"");
                        escapeLabelValue(s.tagValues().get(i), out);
                        out.append('"');
                    }
                    out.append('}');
                }
                out.append(' ');
                value(s.value(), out);
                out.append('\n');
            }
        }
    }

    static void escapeHelp(String text, StringBuilder out) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    static void escapeLabelValue(String text, StringBuilder out) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '"' -> out.append("\\\"");
                default -> out.append(c);
            }
        }
    }

    static void value(double v, StringBuilder out) {
        if (Double.isNaN(v)) {
            out.append("NaN");
        } else if (v == Double.POSITIVE_INFINITY) {
            out.append("+Inf");
        } else if (v == Double.NEGATIVE_INFINITY) {
            out.append("-Inf");
        } else if (v == Math.rint(v) && Math.abs(v) < 9.007199254740992E15) {
            out.append((long) v);
        } else {
            out.append(v);
        }
    }
}
