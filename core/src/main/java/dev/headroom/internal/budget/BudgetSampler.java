package dev.headroom.internal.budget;

import dev.headroom.Budget;
import dev.headroom.CgroupSnapshot;
import dev.headroom.GovernorState;
import dev.headroom.JvmSnapshot;
import dev.headroom.ProcessSnapshot;
import dev.headroom.internal.cgroup.CgroupMonitor;
import dev.headroom.internal.clock.Ticker;
import dev.headroom.internal.jvm.HeapRange;
import dev.headroom.internal.jvm.JvmFlavour;
import dev.headroom.internal.jvm.JvmReader;
import dev.headroom.internal.jvm.NmtReader;
import dev.headroom.internal.jvm.NmtReport;
import dev.headroom.internal.jvm.PlatformServer;
import dev.headroom.internal.proc.PagemapReader;
import dev.headroom.internal.proc.ProcStatusReader;
import dev.headroom.internal.proc.ProcessSnapshots;
import dev.headroom.internal.proc.SmapsRollupReader;

import javax.management.MBeanServer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The real budget: the cgroup monitor, {@code /proc/self/status} every sample, and on a slower
 * schedule (every {@code slowEvery}-th sample) {@code /proc/self/smaps_rollup} and the heap's resident
 * pages from {@code /proc/self/pagemap} (each costs ~100× a status read); the JVM's MXBeans and NMT;
 * put together by a {@link BudgetAssembler}.
 *
 * <p>Between two pagemap counts the heap is taken as the last count plus what the heap pools' peak
 * use has grown since (new peaks are freshly written pages), at most the committed heap. Without a
 * heap range (ZGC, whose heap is shared memory; a JVM without the DiagnosticCommand MBean) or when
 * pagemap cannot be read, the budget falls back to committed heap capped at peak use.
 *
 * <p>The heap range comes from the DiagnosticCommand MBean, so it needs the platform MBean server,
 * which this sampler never creates for it (see {@link PlatformServer}): it is asked once, on the first
 * slow sample that finds the server created — at once when NMT is on (reading NMT needs the server
 * anyway), else once a JMX client or the application has created it. Until then the fallback applies.
 *
 * <p>Called from one sampler thread; never throws for a reading it cannot make — that is an entry
 * in {@link Budget#errors()}.
 */
public final class BudgetSampler implements BudgetSource {

    /** smaps_rollup and pagemap every 12th sample: once a minute at a 5 s interval. */
    public static final int DEFAULT_SLOW_EVERY = 12;

    private final CgroupMonitor cgroup;
    private final ProcStatusReader status;
    private final SmapsRollupReader smaps;
    private final JvmReader jvm;
    private final BudgetAssembler assembler;
    private final PagemapReader pagemap;
    /** This JVM's heap can be counted through pagemap once its range is known. */
    private final boolean heapRangeWanted;
    private boolean heapRangeAsked;
    private Optional<HeapRange> heapRange = Optional.empty();
    private final Ticker ticker;
    private final int slowEvery;
    private final Consumer<String> notices;
    private boolean nmtOffTold;
    private long samples;
    private long smapsTimeMillis;
    private String lastNmtProblem;
    private long heapResident = -1;
    private long heapPeakAtCount;
    private long heapCountedAtMillis;

    private BudgetSampler(Path root, Ticker ticker, BudgetAssembler.Settings settings, int slowEvery,
                          Consumer<String> notices) {
        this.ticker = ticker;
        this.notices = notices;
        this.slowEvery = slowEvery;
        this.pagemap = new PagemapReader(root);
        // Classes, not lambdas, on the start path (see HeadroomRuntime's class comment).
        LongSupplier nanoTime = new LongSupplier() {
            @Override
            public long getAsLong() {
                return ticker.nanoTime();
            }
        };
        this.cgroup = CgroupMonitor.open(root, nanoTime);
        this.status = new ProcStatusReader(root);
        this.smaps = new SmapsRollupReader(root);
        this.jvm = new JvmReader(new NmtReader(), nanoTime, JvmReader.DEFAULT_GC_WINDOW);
        this.assembler = new BudgetAssembler(jvm.configuration(), new InstantSource() {
            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(ticker.currentTimeMillis());
            }
        }, settings);
        // The heap range is this JVM's; under a captured root (report --root) pagemap is not this process's.
        boolean ownProcess = root.toAbsolutePath().normalize().equals(Path.of("/"));
        this.heapRangeWanted = ownProcess && !JvmFlavour.heapInSharedMemory(jvm.configuration().collector());
    }

    /** Reads this process's cgroup and {@code /proc} under {@code root} ({@code /} in production). */
    public static BudgetSampler open(Path root, Ticker ticker) {
        return open(root, ticker, BudgetAssembler.Settings.defaults(), DEFAULT_SLOW_EVERY, notice -> { });
    }

    /**
     * @param notices told once, on the first sample, what the user could do for a better budget (NMT
     *                is off, and how to turn it on); e.g. {@code m -> diagnostics.once("nmt", m)}
     */
    public static BudgetSampler open(Path root, Ticker ticker, Consumer<String> notices) {
        return open(root, ticker, BudgetAssembler.Settings.defaults(), DEFAULT_SLOW_EVERY, notices);
    }

    public static BudgetSampler open(Path root, Ticker ticker, BudgetAssembler.Settings settings, int slowEvery) {
        return open(root, ticker, settings, slowEvery, notice -> { });
    }

    /** @param slowEvery read smaps_rollup and count the heap's pages every this many samples (1 = every sample) */
    public static BudgetSampler open(Path root, Ticker ticker, BudgetAssembler.Settings settings, int slowEvery,
                                     Consumer<String> notices) {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(notices, "notices");
        if (slowEvery < 1) {
            throw new IllegalArgumentException("slowEvery must be at least 1: " + slowEvery);
        }
        return new BudgetSampler(root, ticker, settings, slowEvery, notices);
    }

    @Override
    public Budget sample(GovernorState state) {
        CgroupSnapshot cg = cgroup.snapshot();
        List<String> errors = new ArrayList<>(cg.errors().size() + 2);
        errors.addAll(cg.errors());
        if (!status.refresh()) {
            errors.add("proc: " + status.error());
        }
        boolean slow = samples++ % slowEvery == 0;
        if (slow) {
            if (smaps.refresh()) {
                smapsTimeMillis = ticker.currentTimeMillis();
            } else if (!smaps.missing()) {
                // Missing is an older kernel: Pss is then not available, which the snapshot shows.
                errors.add("proc: " + smaps.error());
            }
        }
        ProcessSnapshot process = ProcessSnapshots.of(status, smaps, smapsTimeMillis);
        JvmSnapshot snapshot = jvm.read();
        if (slow && heapRangeWanted && !heapRangeAsked) {
            // After jvm.read(): with NMT on, reading it has just created the server. One try; a failure stays failed.
            Optional<MBeanServer> server = PlatformServer.ifCreated();
            if (server.isPresent()) {
                heapRangeAsked = true;
                heapRange = HeapRange.read(server.get());
            }
        }
        OptionalLong heap = OptionalLong.empty();
        String heapSource = null;
        if (heapRange.isPresent()) {
            if (slow || heapResident < 0) {
                long counted = pagemap.residentBytes(heapRange.get().start(), heapRange.get().end());
                if (counted >= 0) {
                    heapResident = counted;
                    heapPeakAtCount = snapshot.heapPeakUsedBytes();
                    heapCountedAtMillis = ticker.currentTimeMillis();
                } else if (slow) {
                    errors.add("proc: " + pagemap.error() + "; heap taken as committed, capped at peak use");
                }
            }
            if (heapResident >= 0) {
                long grown = Math.max(0, snapshot.heapPeakUsedBytes() - heapPeakAtCount);
                heap = OptionalLong.of(heapResident + grown);
                long age = (ticker.currentTimeMillis() - heapCountedAtMillis) / 1000;
                heapSource = age == 0 && grown == 0 ? "pagemap: resident pages of the heap's range"
                        : "pagemap: resident pages of the heap's range " + age + " s ago, + peak-use growth since";
            }
        }
        NmtReport nmt = jvm.lastNmt();
        // NMT off is said once by the assembler; a failing or missing NMT is said when it changes.
        if (nmt.status() == NmtReport.Status.FAILED || nmt.status() == NmtReport.Status.UNAVAILABLE) {
            if (!nmt.message().equals(lastNmtProblem)) {
                errors.add(nmt.message());
                lastNmtProblem = nmt.message();
            }
        } else {
            lastNmtProblem = null;
        }
        if (nmt.status() == NmtReport.Status.NOT_ENABLED && !nmtOffTold) {
            nmtOffTold = true;
            try {
                notices.accept("Native Memory Tracking is off, so jvm_native is not split from untracked_native and"
                        + " thread stacks are estimated; " + NmtReport.HOW_TO_ENABLE);
            } catch (RuntimeException e) {
                errors.add("budget: the notice callback failed: " + e);
            }
        }
        return assembler.assemble(cg, snapshot, process, state, errors, heap, heapSource);
    }

    @Override
    public void close() {
        cgroup.close();
        status.close();
        smaps.close();
        pagemap.close();
    }
}
