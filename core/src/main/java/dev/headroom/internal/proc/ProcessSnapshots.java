package dev.headroom.internal.proc;

import dev.headroom.ProcessSnapshot;

import java.util.OptionalLong;

/** Builds the public {@link ProcessSnapshot} from the readers' last values. */
public final class ProcessSnapshots {

    private ProcessSnapshots() {
    }

    /**
     * @param status          refreshed this sample
     * @param smaps           the smaps_rollup reader as last refreshed; null when never read
     * @param smapsTimeMillis when {@code smaps} was last refreshed (epoch ms); 0 when never
     */
    public static ProcessSnapshot of(ProcStatusReader status, SmapsRollupReader smaps, long smapsTimeMillis) {
        boolean haveSmaps = smaps != null && smaps.error() == null && smapsTimeMillis > 0;
        return new ProcessSnapshot(
                opt(status.rssBytes()), opt(status.rssAnonBytes()), opt(status.rssFileBytes()),
                opt(status.rssShmemBytes()), opt(status.swapBytes()),
                haveSmaps ? opt(smaps.pssBytes()) : OptionalLong.empty(),
                haveSmaps ? opt(smaps.pssAnonBytes()) : OptionalLong.empty(),
                haveSmaps ? opt(smaps.pssFileBytes()) : OptionalLong.empty(),
                haveSmaps ? opt(smaps.pssShmemBytes()) : OptionalLong.empty(),
                haveSmaps ? smapsTimeMillis : 0);
    }

    /** An all-empty snapshot, for when /proc cannot be read at all. */
    public static ProcessSnapshot empty() {
        return new ProcessSnapshot(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty(), 0);
    }

    private static OptionalLong opt(long value) {
        return value < 0 ? OptionalLong.empty() : OptionalLong.of(value);
    }
}
