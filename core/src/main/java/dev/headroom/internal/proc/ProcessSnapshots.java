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
        ProcessSnapshot.Builder b = ProcessSnapshot.builder()
                .rssBytes(opt(status.rssBytes()))
                .rssAnonBytes(opt(status.rssAnonBytes()))
                .rssFileBytes(opt(status.rssFileBytes()))
                .rssShmemBytes(opt(status.rssShmemBytes()))
                .swapBytes(opt(status.swapBytes()));
        if (haveSmaps) {
            b.pssBytes(opt(smaps.pssBytes()))
                    .pssAnonBytes(opt(smaps.pssAnonBytes()))
                    .pssFileBytes(opt(smaps.pssFileBytes()))
                    .pssShmemBytes(opt(smaps.pssShmemBytes()))
                    .smapsTimeMillis(smapsTimeMillis);
        }
        return b.build();
    }

    /** An all-empty snapshot, for when /proc cannot be read at all. */
    public static ProcessSnapshot empty() {
        return ProcessSnapshot.builder().build();
    }

    private static OptionalLong opt(long value) {
        return value < 0 ? OptionalLong.empty() : OptionalLong.of(value);
    }
}
