package dev.headroom;

import dev.headroom.internal.kernfs.ErrorLines;

import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Where every byte of the container's working set goes, how much is left and how fast it is going.
 * Immutable; a new one is made every sample.
 *
 * @param timeMillis            when it was sampled (epoch ms)
 * @param cgroup                the memory cgroup readings
 * @param jvm                   the JVM's own readings
 * @param process               {@code /proc/self} readings
 * @param components            the working set by component, largest first; they add up to
 *                              {@code workingSetBytes} (the remainder is the {@code unattributed} component)
 * @param workingSetBytes       the cgroup's working set; when there is no memory controller, this
 *                              process's RSS
 * @param limitBytes            effective hard limit; empty when unlimited
 * @param headroomBytes         distance to the binding constraint (smallest {@code limit - usage} up
 *                              the hierarchy); empty when unlimited
 * @param growthBytesPerSecond  growth of the post-GC floor of the working set over the trend window;
 *                              empty until the window has enough samples
 * @param secondsToLimit        {@code headroom / growth}; empty when not growing or unlimited
 * @param sizingCheck           can this JVM's configuration exceed the limit?
 * @param recommendation        sizing advice from what has been observed
 * @param governor              the governor's state
 * @param errors                what could not be read, each naming the source; bounded (repeats merged
 *                              with a count, long lines cut, at most 40 lines and one counting the rest)
 * @param constraints           every limit this JVM can die at (the cgroup chain, the heap, direct
 *                              memory, metaspace, ...), each with its use, headroom and growth; the
 *                              pressure level is the worst one's ({@link #bindingConstraint()})
 * @param who                   who is growing: the call sites the agent's attribution found behind the
 *                              growth (docs/who.md); null when attribution is off and has nothing to
 *                              say, or this JVM has none (the library or the Spring starter without
 *                              the agent)
 *
 * <p>Make one with {@link #builder()} (or change a copy with {@link #toBuilder()}): that is the supported
 * way to construct it. Components are added to this record as Headroom learns more; each new one gets
 * a default in the {@link Builder}, so code that uses the builder keeps compiling and keeps meaning the
 * same, while the canonical constructor's parameter list grows with every component.
 */
public record Budget(
        long timeMillis,
        CgroupSnapshot cgroup,
        JvmSnapshot jvm,
        ProcessSnapshot process,
        List<Component> components,
        long workingSetBytes,
        OptionalLong limitBytes,
        OptionalLong headroomBytes,
        OptionalDouble growthBytesPerSecond,
        OptionalDouble secondsToLimit,
        SizingCheck sizingCheck,
        Recommendation recommendation,
        GovernorState governor,
        List<String> errors,
        List<Constraint> constraints,
        Who who) {

    /** The canonical constructor, which gains a parameter with every new component: use {@link #builder()}. */
    public Budget {
        components = List.copyOf(components);
        errors = ErrorLines.bounded(List.copyOf(errors));
        constraints = List.copyOf(constraints);
    }

    /**
     * The budget without {@code who}: the shape before attribution was added (kept for callers of it).
     *
     * @deprecated use {@link #builder()}, which gives every component not set its default (here: no
     *             {@code who}) and keeps compiling when components are added
     */
    @Deprecated
    public Budget(long timeMillis, CgroupSnapshot cgroup, JvmSnapshot jvm, ProcessSnapshot process,
                  List<Component> components, long workingSetBytes, OptionalLong limitBytes, OptionalLong headroomBytes,
                  OptionalDouble growthBytesPerSecond, OptionalDouble secondsToLimit, SizingCheck sizingCheck,
                  Recommendation recommendation, GovernorState governor, List<String> errors, List<Constraint> constraints) {
        this(timeMillis, cgroup, jvm, process, components, workingSetBytes, limitBytes, headroomBytes,
                growthBytesPerSecond, secondsToLimit, sizingCheck, recommendation, governor, errors, constraints, null);
    }

    /**
     * The budget without constraints: the shape before constraints were added (kept for callers of it).
     *
     * @deprecated use {@link #builder()}, which gives every component not set its default (here: no
     *             constraints) and keeps compiling when components are added
     */
    @Deprecated
    public Budget(long timeMillis, CgroupSnapshot cgroup, JvmSnapshot jvm, ProcessSnapshot process,
                  List<Component> components, long workingSetBytes, OptionalLong limitBytes, OptionalLong headroomBytes,
                  OptionalDouble growthBytesPerSecond, OptionalDouble secondsToLimit, SizingCheck sizingCheck,
                  Recommendation recommendation, GovernorState governor, List<String> errors) {
        this(timeMillis, cgroup, jvm, process, components, workingSetBytes, limitBytes, headroomBytes,
                growthBytesPerSecond, secondsToLimit, sizingCheck, recommendation, governor, errors, List.of(), null);
    }

    /** The constraint nearest its limit; empty when no limit is known. */
    public java.util.Optional<Constraint> bindingConstraint() {
        return java.util.Optional.ofNullable(Constraint.binding(constraints));
    }

    /** The constraint with this name, if known. */
    public java.util.Optional<Constraint> constraint(String name) {
        for (Constraint c : constraints) {
            if (c.name().equals(name)) {
                return java.util.Optional.of(c);
            }
        }
        return java.util.Optional.empty();
    }

    /** A builder holding the honest unknowns: see {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding every component of this budget. */
    public Builder toBuilder() {
        return new Builder()
                .timeMillis(timeMillis)
                .cgroup(cgroup)
                .jvm(jvm)
                .process(process)
                .components(components)
                .workingSetBytes(workingSetBytes)
                .limitBytes(limitBytes)
                .headroomBytes(headroomBytes)
                .growthBytesPerSecond(growthBytesPerSecond)
                .secondsToLimit(secondsToLimit)
                .sizingCheck(sizingCheck)
                .recommendation(recommendation)
                .governor(governor)
                .errors(errors)
                .constraints(constraints)
                .who(who);
    }

    /** This budget with other constraints. */
    public Budget withConstraints(List<Constraint> constraints) {
        return toBuilder().constraints(constraints).build();
    }

    /** This budget with another governor state (the governor's verdict on the sample it judged). */
    public Budget withGovernor(GovernorState state) {
        return toBuilder().governor(state).build();
    }

    /** This budget with another {@code who} section (null for none). */
    public Budget withWho(Who who) {
        return toBuilder().who(who).build();
    }

    /** The component with this name, if present. */
    public java.util.Optional<Component> component(String name) {
        for (Component c : components) {
            if (c.name().equals(name)) {
                return java.util.Optional.of(c);
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * One slice of the working set.
     *
     * @param name      stable identifier: {@code heap}, {@code metaspace}, {@code code_cache},
     *                  {@code thread_stacks}, {@code direct_buffers}, {@code mapped_buffers},
     *                  {@code jvm_native}, {@code untracked_native}, {@code page_cache},
     *                  {@code shmem}, {@code kernel}, {@code other_processes}, {@code unattributed}
     * @param bytes     bytes of the working set
     * @param source    where the figure comes from (e.g. {@code MemoryMXBean}, {@code NMT},
     *                  {@code memory.stat:active_file})
     * @param estimated true when derived rather than measured
     */
    public record Component(String name, long bytes, String source, boolean estimated) {
    }

    /**
     * Can this JVM's configuration exceed the limit? The arithmetic is kept so it can be shown.
     *
     * @param evaluated          false when there is no limit to compare with
     * @param fits               true when the worst case fits under the limit
     * @param worstCaseBytes     sum of the terms
     * @param limitBytes         the limit compared against (0 when not evaluated)
     * @param terms              each addend: name, bytes, where it came from
     */
    public record SizingCheck(boolean evaluated, boolean fits, long worstCaseBytes, long limitBytes,
                              List<Term> terms) {
        public SizingCheck {
            terms = List.copyOf(terms);
        }

        /** The check when there is no limit to compare with: not evaluated, no terms. */
        public static SizingCheck notEvaluated() {
            return new SizingCheck(false, false, 0, 0, List.of());
        }

        public record Term(String name, long bytes, String source) {
        }
    }

    /**
     * Sizing advice from observed peaks.
     *
     * @param available              false until enough has been observed
     * @param basedOnSeconds         how much history it rests on
     * @param samples                how many samples
     * @param maxHeapBytes           suggested {@code -Xmx}
     * @param maxRamPercentage       the same as {@code -XX:MaxRAMPercentage} of the suggested limit
     * @param maxDirectMemoryBytes   suggested {@code -XX:MaxDirectMemorySize}
     * @param containerRequestBytes  suggested container memory request
     * @param containerLimitBytes    suggested container memory limit
     * @param reasoning              one line per figure: how it was derived
     */
    public record Recommendation(boolean available, long basedOnSeconds, long samples,
                                 long maxHeapBytes, double maxRamPercentage, long maxDirectMemoryBytes,
                                 long containerRequestBytes, long containerLimitBytes,
                                 List<String> reasoning) {
        public Recommendation {
            reasoning = List.copyOf(reasoning);
        }

        public static Recommendation notYet(long basedOnSeconds, long samples) {
            return new Recommendation(false, basedOnSeconds, samples, 0, 0, 0, 0, 0, List.of());
        }
    }

    /**
     * Who is growing: what the agent's attribution found (docs/who.md). It counts only what was
     * created since it switched on and is still held: growth, not churn, and nothing from before.
     *
     * @param on          whether attribution is on (or switching on) now
     * @param mode        {@code auto}, {@code on} or {@code off} (the {@code who} option, or as switched
     *                    since over JMX or by {@code report --who})
     * @param reason      why it was last switched on ({@code pressure WARN}, {@code report --who}, ...)
     * @param sinceMillis when it started collecting (epoch ms); empty while it is still switching on
     * @param components  every component with sites, the fastest-growing first
     */
    public record Who(boolean on, String mode, String reason, OptionalLong sinceMillis, List<Growing> components) {
        public Who {
            components = List.copyOf(components);
        }

        /**
         * One component and the sites that hold what it grew by.
         *
         * @param component            a component name ({@code direct_buffers}, {@code thread_stacks}, ...)
         * @param growthBytesPerSecond the component's growth as the budget measures it; empty when unknown
         * @param sites                the largest sites, largest first
         */
        public record Growing(String component, OptionalDouble growthBytesPerSecond, List<Site> sites) {
            public Growing {
                sites = List.copyOf(sites);
            }
        }

        /**
         * One call site.
         *
         * @param site   its first application frame ({@code com.acme.Store.put (Store.java:88)})
         * @param amount what it holds, in {@code unit}
         * @param unit   {@code liveBytes}, {@code liveThreads}, ... (what the kind of attribution counts)
         * @param share  its part of what all sites of the component hold, 0 to 1
         */
        public record Site(String site, long amount, String unit, double share) {
        }
    }

    /**
     * Builds a {@link Budget} one component at a time; one setter per component, named like it. What
     * is not set keeps its default, the honest unknown: no time (0), readings not taken (the
     * {@link CgroupSnapshot#builder()}, {@link JvmSnapshot#builder()} and {@link ProcessSnapshot#builder()}
     * defaults), no components, working set 0, empty optionals (unlimited, growth unknown), a sizing
     * check {@link SizingCheck#notEvaluated() not evaluated}, no {@link Recommendation#notYet(long, long)
     * recommendation yet}, {@link GovernorState#initial()}, no errors, no constraints, no {@code who}. Values
     * are taken as given (the record copies the lists); a builder can be reused, each {@link #build()}
     * makes a new budget.
     */
    public static final class Builder {
        private static final CgroupSnapshot NO_CGROUP = CgroupSnapshot.builder().build();
        private static final JvmSnapshot NO_JVM = JvmSnapshot.builder().build();
        private static final ProcessSnapshot NO_PROCESS = ProcessSnapshot.builder().build();
        private static final SizingCheck NOT_EVALUATED = SizingCheck.notEvaluated();
        private static final Recommendation NOT_YET = Recommendation.notYet(0, 0);

        private long timeMillis;
        private CgroupSnapshot cgroup = NO_CGROUP;
        private JvmSnapshot jvm = NO_JVM;
        private ProcessSnapshot process = NO_PROCESS;
        private List<Component> components = List.of();
        private long workingSetBytes;
        private OptionalLong limitBytes = OptionalLong.empty();
        private OptionalLong headroomBytes = OptionalLong.empty();
        private OptionalDouble growthBytesPerSecond = OptionalDouble.empty();
        private OptionalDouble secondsToLimit = OptionalDouble.empty();
        private SizingCheck sizingCheck = NOT_EVALUATED;
        private Recommendation recommendation = NOT_YET;
        private GovernorState governor = GovernorState.initial();
        private List<String> errors = List.of();
        private List<Constraint> constraints = List.of();
        private Who who;

        private Builder() {
        }

        public Builder timeMillis(long timeMillis) {
            this.timeMillis = timeMillis;
            return this;
        }

        public Builder cgroup(CgroupSnapshot cgroup) {
            this.cgroup = cgroup;
            return this;
        }

        public Builder jvm(JvmSnapshot jvm) {
            this.jvm = jvm;
            return this;
        }

        public Builder process(ProcessSnapshot process) {
            this.process = process;
            return this;
        }

        public Builder components(List<Component> components) {
            this.components = components;
            return this;
        }

        public Builder workingSetBytes(long workingSetBytes) {
            this.workingSetBytes = workingSetBytes;
            return this;
        }

        public Builder limitBytes(OptionalLong limitBytes) {
            this.limitBytes = limitBytes;
            return this;
        }

        public Builder headroomBytes(OptionalLong headroomBytes) {
            this.headroomBytes = headroomBytes;
            return this;
        }

        public Builder growthBytesPerSecond(OptionalDouble growthBytesPerSecond) {
            this.growthBytesPerSecond = growthBytesPerSecond;
            return this;
        }

        public Builder secondsToLimit(OptionalDouble secondsToLimit) {
            this.secondsToLimit = secondsToLimit;
            return this;
        }

        public Builder sizingCheck(SizingCheck sizingCheck) {
            this.sizingCheck = sizingCheck;
            return this;
        }

        public Builder recommendation(Recommendation recommendation) {
            this.recommendation = recommendation;
            return this;
        }

        public Builder governor(GovernorState governor) {
            this.governor = governor;
            return this;
        }

        public Builder errors(List<String> errors) {
            this.errors = errors;
            return this;
        }

        public Builder constraints(List<Constraint> constraints) {
            this.constraints = constraints;
            return this;
        }

        public Builder who(Who who) {
            this.who = who;
            return this;
        }

        public Budget build() {
            return new Budget(timeMillis, cgroup, jvm, process, components, workingSetBytes, limitBytes, headroomBytes,
                    growthBytesPerSecond, secondsToLimit, sizingCheck, recommendation, governor, errors, constraints, who);
        }
    }
}
