package dev.headroom.internal.governor;

import dev.headroom.Budget;
import dev.headroom.HeadroomConfig;
import dev.headroom.internal.config.Values;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The verdict at start on the JVM's flags against its container, said once: whether they let the JVM
 * grow past the limit (the kernel kills it, with no warning from the JVM), and whether its own limits
 * sit so far below the cgroup's thresholds that those can never fire (a Java
 * {@code OutOfMemoryError} comes first: Headroom then judges the heap, direct memory and metaspace as
 * constraints of their own). Each verdict names the flags that would change it.
 *
 * @param fields  for the {@code start} event's {@code sizing} object
 * @param message one human line, or null when there is nothing to say
 */
public record SizingVerdict(Map<String, Object> fields, String message) {
    /** The share of the limit the advised flags leave the JVM: the rest is for what no flag bounds. */
    static final double ADVISED_SHARE = 0.9;

    public static SizingVerdict of(Budget budget, HeadroomConfig config) {
        Budget.SizingCheck check = budget.sizingCheck();
        Map<String, Object> f = new LinkedHashMap<>();
        if (check == null || !check.evaluated()) {
            f.put("evaluated", false);
            return new SizingVerdict(f, null);
        }
        long limit = check.limitBytes();
        long worst = check.worstCaseBytes();
        f.put("evaluated", true);
        f.put("fits", check.fits());
        f.put("worstCaseBytes", worst);
        f.put("limitBytes", limit);
        List<String> advice = new ArrayList<>();
        StringBuilder m = new StringBuilder(256);
        if (!check.fits()) {
            m.append("sizing: these flags let the JVM reach ").append(Values.humanBytes(worst)).append(", over the ")
                    .append(Values.humanBytes(limit)).append(" limit, where the kernel kills it without a Java error (")
                    .append(terms(check)).append(')');
            // Cut what the flags over-provision, cheapest first: direct memory left at its default
            // (the max heap), a code cache reserved far above what small services compile, then the heap.
            long over = worst - (long) (limit * ADVISED_SHARE);
            boolean metaspaceUnbounded = false;
            for (String name : new String[]{"direct_memory", "code_cache", "max_heap"}) {
                Budget.SizingCheck.Term t = term(check, name);
                if (t == null || over <= 0 || (name.equals("direct_memory") && t.source().equals("MaxDirectMemorySize"))) {
                    continue;
                }
                long floor = switch (name) {
                    case "direct_memory" -> 16L << 20;
                    case "code_cache" -> 48L << 20;
                    default -> limit / 4;
                };
                long cut = Math.min(over, t.bytes() - floor);
                if (cut <= 0) {
                    continue;
                }
                long to = t.bytes() - cut;
                over -= cut;
                advice.add(switch (name) {
                    case "direct_memory" -> "-XX:MaxDirectMemorySize=" + mib(to);
                    case "code_cache" -> "-XX:ReservedCodeCacheSize=" + mib(to);
                    default -> "-XX:MaxRAMPercentage=" + Math.max(1, to * 100 / limit) + " (a max heap of " + Values.humanBytes(to) + ")";
                });
            }
            if (over > 0) {
                advice.add("a larger memory limit (at least " + Values.humanBytes((long) (worst / ADVISED_SHARE)) + ")");
            }
            Budget.SizingCheck.Term metaspace = term(check, "metaspace");
            metaspaceUnbounded = metaspace != null && !metaspace.source().equals("MaxMetaspaceSize");
            if (metaspaceUnbounded) {
                advice.add("-XX:MaxMetaspaceSize to bound class metadata");
            }
        }
        long cgroupWarn = config.warnAt().resolve(OptionalLong.of(limit)).orElse(Long.MAX_VALUE);
        if (check.fits() && worst < cgroupWarn) {
            m.append("sizing: these flags keep the JVM under ").append(Values.humanBytes(worst)).append(", below the cgroup's warnAt ")
                    .append(config.warnAt()).append(" (").append(Values.humanBytes(cgroupWarn))
                    .append("): its own limits bind first, and Headroom warns on them (heap, direct memory, metaspace)");
            f.put("jvmLimitsBindFirst", true);
        }
        f.put("advice", advice);
        if (!advice.isEmpty()) {
            m.append("; to fit: ").append(String.join(", ", advice));
        }
        return new SizingVerdict(f, m.length() == 0 ? null : m.toString());
    }

    private static Budget.SizingCheck.Term term(Budget.SizingCheck check, String name) {
        for (Budget.SizingCheck.Term t : check.terms()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** Whole MiB, rounded down: {@code 200m}. */
    private static String mib(long bytes) {
        return (bytes >> 20) + "m";
    }

    private static String terms(Budget.SizingCheck check) {
        StringBuilder sb = new StringBuilder();
        for (Budget.SizingCheck.Term t : check.terms()) {
            if (sb.length() > 0) {
                sb.append(" + ");
            }
            sb.append(t.name()).append(' ').append(Values.humanBytes(t.bytes()));
        }
        return sb.toString();
    }
}
