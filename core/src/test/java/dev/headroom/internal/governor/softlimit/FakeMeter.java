package dev.headroom.internal.governor.softlimit;

/** CPU readings the test advances by hand. */
final class FakeMeter implements CpuMeter {
    long gcThreadCpu;
    long pause;
    long serviceCpu;
    long processCpu;
    int processors = 2;
    Collector collector;

    @Override
    public long gcThreadCpuNanos() {
        return gcThreadCpu;
    }

    @Override
    public long serviceThreadCpuNanos() {
        return serviceCpu;
    }

    @Override
    public long gcPauseNanos() {
        return pause;
    }

    @Override
    public long processCpuNanos() {
        return processCpu;
    }

    @Override
    public int processors() {
        return processors;
    }

    @Override
    public void collector(Collector c) {
        this.collector = c;
    }
}
