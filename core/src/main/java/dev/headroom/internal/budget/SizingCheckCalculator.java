package dev.headroom.internal.budget;

import dev.headroom.Budget.SizingCheck;
import dev.headroom.Budget.SizingCheck.Term;
import dev.headroom.JvmSnapshot;
import dev.headroom.JvmSnapshot.Pool;
import dev.headroom.internal.jvm.JvmConfiguration;
import dev.headroom.internal.jvm.JvmFlavour;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Can this JVM, as configured, outgrow its container? The worst case adds what the flags allow to
 * what they do not bound, and is compared with the effective limit. Every addend is kept so the
 * arithmetic can be shown:
 * <table>
 *   <caption>terms</caption>
 *   <tr><th>term</th><th>figure</th></tr>
 *   <tr><td>{@code max_heap}</td><td>{@code MaxHeapSize}</td></tr>
 *   <tr><td>{@code metaspace}</td><td>{@code MaxMetaspaceSize} when set, else the metaspace committed now (unbounded by default)</td></tr>
 *   <tr><td>{@code code_cache}</td><td>{@code ReservedCodeCacheSize}</td></tr>
 *   <tr><td>{@code direct_memory}</td><td>the effective {@code MaxDirectMemorySize} (the max heap when unset)</td></tr>
 *   <tr><td>{@code thread_stacks}</td><td>live threads × {@code ThreadStackSize}</td></tr>
 *   <tr><td>{@code other_native}</td><td>observed {@code jvm_native + untracked_native}: GC and compiler structures, malloc, ...</td></tr>
 * </table>
 * Page cache and tmpfs are left out: they are not this JVM's configuration (the budget shows them).
 */
public final class SizingCheckCalculator {

    private SizingCheckCalculator() {
    }

    /**
     * @param observedOtherNativeBytes {@code jvm_native + untracked_native} of a budget
     * @param limitBytes               the effective limit; empty when unlimited
     */
    public static SizingCheck check(JvmConfiguration config, JvmSnapshot jvm, long observedOtherNativeBytes,
                                    OptionalLong limitBytes) {
        List<Term> terms = new ArrayList<>();
        terms.add(new Term("max_heap", config.maxHeapBytes(), "MaxHeapSize"));
        if (config.maxMetaspaceBytes().isPresent()) {
            terms.add(new Term("metaspace", config.maxMetaspaceBytes().getAsLong(), "MaxMetaspaceSize"));
        } else {
            terms.add(new Term("metaspace", poolCommitted(jvm, JvmFlavour.PoolKind.METASPACE),
                    "Metaspace committed now (MaxMetaspaceSize is unlimited)"));
        }
        terms.add(new Term("code_cache", config.reservedCodeCacheBytes(), "ReservedCodeCacheSize"));
        terms.add(new Term("direct_memory", config.maxDirectMemoryBytes(), config.maxDirectMemoryFromFlag()
                ? "MaxDirectMemorySize" : "MaxDirectMemorySize unset: the max heap (Runtime.maxMemory)"));
        terms.add(new Term("thread_stacks", jvm.threadCount() * config.threadStackBytes(),
                jvm.threadCount() + " live threads x ThreadStackSize " + config.threadStackBytes()));
        terms.add(new Term("other_native", Math.max(0, observedOtherNativeBytes),
                "observed jvm_native + untracked_native"));
        long worst = 0;
        for (Term t : terms) {
            worst = saturatingAdd(worst, t.bytes());
        }
        if (limitBytes.isEmpty()) {
            return new SizingCheck(false, true, worst, 0, terms);
        }
        long limit = limitBytes.getAsLong();
        return new SizingCheck(true, worst <= limit, worst, limit, terms);
    }

    private static long poolCommitted(JvmSnapshot jvm, JvmFlavour.PoolKind kind) {
        long total = 0;
        for (Pool p : jvm.pools()) {
            if (JvmFlavour.poolKind(p.name(), p.heap()) == kind) {
                total += p.committedBytes();
            }
        }
        return total;
    }

    private static long saturatingAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
