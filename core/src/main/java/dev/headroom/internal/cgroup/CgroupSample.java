package dev.headroom.internal.cgroup;

/**
 * One sample of the memory cgroup, filled in place by {@link CgroupMonitor#sample(CgroupSample)} so
 * the sampler allocates nothing. Byte fields hold {@link #UNKNOWN} (-1) when the reading is absent
 * (file missing or unparseable: see {@link CgroupMonitor#errors()}); limit-like fields hold
 * {@link #UNLIMITED} when there is no limit. Fields are public on purpose: it is a plain carrier
 * reused every sample, owned by one thread.
 */
public final class CgroupSample {
    public static final long UNKNOWN = -1;
    public static final long UNLIMITED = Long.MAX_VALUE;
    /** {@link #limitIndex} / {@link #bindingIndex} when the limit came from v1 {@code hierarchical_memory_limit}. */
    public static final int HIERARCHICAL = -2;

    /** 1 or 2; 0 when no memory controller. */
    public int version;
    /** Grows each time the monitor moves to another cgroup (process moved, directory deleted). */
    public long generation;

    /** Effective hard limit: the lowest on the path up to the mount point; {@link #UNLIMITED} or {@link #UNKNOWN}. */
    public long limit;
    /** Which directory of the chain set {@link #limit} ({@link CgroupMonitor#dir(int)}); -1 when unlimited. */
    public int limitIndex;
    public long usage;
    /** {@code usage - inactive_file}, clamped at 0. */
    public long workingSet;
    /** v2 {@code memory.high}; v1 {@code memory.soft_limit_in_bytes}. */
    public long high;
    public long low;
    public long min;
    public long peak;
    public long swapUsage;
    public long swapLimit;

    public long anon;
    public long file;
    public long kernel;
    public long shmem;
    public long sock;
    public long fileMapped;
    public long activeFile;
    public long inactiveFile;
    public long slabReclaimable;

    /** Index in the chain of the tightest limited cgroup; -1 when none has a limit. */
    public int bindingIndex;
    public long bindingLimit;
    public long bindingUsage;
    /** {@code bindingLimit - bindingUsage}; may be negative; meaningless when {@link #bindingIndex} is -1. */
    public long bindingHeadroom;

    /** Index in the pids chain of the level with the fewest tasks left under its {@code pids.max}; -1 when none caps them. */
    public int pidsIndex;
    /** That level's {@code pids.current}: tasks (threads included) in it and below. */
    public long pidsCurrent;
    /** That level's {@code pids.max}. */
    public long pidsMax;

    public long eventsLow;
    public long eventsHigh;
    public long eventsMax;
    public long eventsOom;
    public long eventsOomKill;
    public long eventsOomGroupKill;
    /** v1 {@code memory.failcnt}: times usage hit the limit. */
    public long failcnt;
    /** v1 {@code memory.oom_control} {@code under_oom}: 1 while the cgroup is in OOM. */
    public long underOom;

    /** PSI, percent of wall time; -1 when unknown. */
    public double psiSomeAvg10;
    public double psiSomeAvg60;
    public double psiSomeAvg300;
    /** PSI total stall time in microseconds. */
    public long psiSomeTotal;
    public double psiFullAvg10;
    public double psiFullAvg60;
    public double psiFullAvg300;
    public long psiFullTotal;

    /** True when something could not be read or parsed this sample. */
    public boolean error;
    public int errorCount;

    public CgroupSample() {
        clear();
    }

    /** Resets every reading to unknown. */
    public void clear() {
        version = 0;
        limit = UNKNOWN;
        limitIndex = -1;
        usage = workingSet = high = low = min = peak = swapUsage = swapLimit = UNKNOWN;
        anon = file = kernel = shmem = sock = fileMapped = activeFile = inactiveFile = slabReclaimable = UNKNOWN;
        bindingIndex = -1;
        bindingLimit = bindingUsage = bindingHeadroom = UNKNOWN;
        pidsIndex = -1;
        pidsCurrent = pidsMax = UNKNOWN;
        eventsLow = eventsHigh = eventsMax = eventsOom = eventsOomKill = eventsOomGroupKill = UNKNOWN;
        failcnt = underOom = UNKNOWN;
        psiSomeAvg10 = psiSomeAvg60 = psiSomeAvg300 = -1;
        psiFullAvg10 = psiFullAvg60 = psiFullAvg300 = -1;
        psiSomeTotal = psiFullTotal = UNKNOWN;
        error = false;
        errorCount = 0;
    }
}
