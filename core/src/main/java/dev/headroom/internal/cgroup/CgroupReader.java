package dev.headroom.internal.cgroup;

import dev.headroom.internal.kernfs.KernelFile;
import dev.headroom.internal.kernfs.KeyValueTable;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the memory files of one resolved location into a {@link CgroupSample}. The files are
 * opened when the reader is made and re-read from offset 0 every sample; a sample allocates
 * nothing. What both versions read alike is read here, in one order: the chain's limits and
 * usages, {@code memory.stat}, the usage and working set, the effective limit, high and peak, and
 * {@code memory.pressure}. {@link V2Reader} and {@link V1Reader} name the files and add their own.
 */
abstract class CgroupReader implements AutoCloseable {
    static final long UNKNOWN = CgroupSample.UNKNOWN;
    static final long UNLIMITED = CgroupSample.UNLIMITED;

    final CgroupFiles files;
    final CgroupLocation location;
    final ChainFiles chain;
    final MemoryStat stat;
    private final KernelFile high;
    private final KernelFile peak;
    private final Pressure pressure;
    /** The files of the process's directory opened by {@link #open}, closed with the reader. */
    private final List<KernelFile> own = new ArrayList<>();
    private long hierarchical = UNKNOWN;

    /**
     * @param statReadings the {@link MemoryStat} readings, in its order
     * @param limitName    this version's name of the limit file, and so on
     */
    CgroupReader(CgroupFiles files, CgroupLocation location, KeyValueTable statTable, String[][] statReadings,
                 String limitName, String usageName, String highName, String peakName) {
        this.files = files;
        this.location = location;
        chain = new ChainFiles(files, location.chain(), limitName, usageName);
        stat = new MemoryStat(files, location.memoryDir(), statTable, statReadings);
        high = open(highName);
        peak = open(peakName);
        pressure = new Pressure(files, location.pressureDir());
    }

    /** Opens {@code name} in the process's directory, to be closed with the reader. */
    final KernelFile open(String name) {
        KernelFile f = files.open(location.memoryDir(), name);
        own.add(f);
        return f;
    }

    /** Fills {@code s}; false when a read failed on an open descriptor (the cgroup went away). */
    final boolean read(CgroupSample s) {
        files.beginSample();
        long memTotal = location.hostMemTotal();
        chain.read(files, location.rootCgroup(), memTotal);
        stat.read(files, s);
        readAfterStat(s);
        // The v2 root cgroup has no memory.current: what is charged there is anon + file.
        s.usage = !location.rootCgroup() ? chain.ownUsage()
                : s.anon >= 0 && s.file >= 0 ? s.anon + s.file : UNKNOWN;
        s.workingSet = MemoryStat.workingSet(s.usage, s.inactiveFile);
        hierarchical = hierarchicalLimit(memTotal);
        EffectiveLimit.apply(chain.limits, chain.usages, s.usage, location.rootCgroup(), hierarchical, s);
        s.high = files.limit(high, false, memTotal);
        s.peak = files.value(peak, false);
        readRest(s);
        pressure.read(files, s);
        return !files.ioFailed();
    }

    /** This version's readings taken just after {@code memory.stat}; none by default. */
    void readAfterStat(CgroupSample s) {
    }

    /**
     * A limit beyond the chain, classified ({@link EffectiveLimit#apply}'s {@code hierarchical});
     * {@link CgroupSample#UNKNOWN} by default.
     */
    long hierarchicalLimit(long memTotal) {
        return UNKNOWN;
    }

    /** This version's remaining files. */
    abstract void readRest(CgroupSample s);

    /** The limited cgroups of the latest read ({@link CgroupChain}). */
    final CgroupChain chain(long generation) {
        return chain.describe(generation, hierarchical);
    }

    @Override
    public final void close() {
        chain.close();
        stat.close();
        pressure.close();
        for (KernelFile f : own) {
            f.close();
        }
    }
}
