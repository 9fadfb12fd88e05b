package dev.headroom;

import java.util.OptionalLong;

/**
 * What the kernel says about this process ({@code /proc/self/status} every sample,
 * {@code /proc/self/smaps_rollup} on a slower schedule). Empty means not available or not read yet.
 *
 * <p>Make one with {@link #builder()} (or change a copy with {@link #toBuilder()}): that is the supported
 * way to construct it. Components are added to this record as Headroom reads more; each new one gets a
 * default in the {@link Builder}, so code that uses the builder keeps compiling and keeps meaning the
 * same, while the canonical constructor's parameter list grows with every component.
 */
public record ProcessSnapshot(
        OptionalLong rssBytes,
        OptionalLong rssAnonBytes,
        OptionalLong rssFileBytes,
        OptionalLong rssShmemBytes,
        OptionalLong swapBytes,
        OptionalLong pssBytes,
        OptionalLong pssAnonBytes,
        OptionalLong pssFileBytes,
        OptionalLong pssShmemBytes,
        long smapsTimeMillis) {

    /** A builder holding the honest unknowns: see {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding every component of this snapshot. */
    public Builder toBuilder() {
        return new Builder()
                .rssBytes(rssBytes)
                .rssAnonBytes(rssAnonBytes)
                .rssFileBytes(rssFileBytes)
                .rssShmemBytes(rssShmemBytes)
                .swapBytes(swapBytes)
                .pssBytes(pssBytes)
                .pssAnonBytes(pssAnonBytes)
                .pssFileBytes(pssFileBytes)
                .pssShmemBytes(pssShmemBytes)
                .smapsTimeMillis(smapsTimeMillis);
    }

    /**
     * Builds a {@link ProcessSnapshot} one component at a time; one setter per component, named like
     * it. What is not set keeps its default, the honest unknown: every reading an empty optional,
     * {@code smaps_rollup} never read (0).
     */
    public static final class Builder {
        private OptionalLong rssBytes = OptionalLong.empty();
        private OptionalLong rssAnonBytes = OptionalLong.empty();
        private OptionalLong rssFileBytes = OptionalLong.empty();
        private OptionalLong rssShmemBytes = OptionalLong.empty();
        private OptionalLong swapBytes = OptionalLong.empty();
        private OptionalLong pssBytes = OptionalLong.empty();
        private OptionalLong pssAnonBytes = OptionalLong.empty();
        private OptionalLong pssFileBytes = OptionalLong.empty();
        private OptionalLong pssShmemBytes = OptionalLong.empty();
        private long smapsTimeMillis;

        private Builder() {
        }

        public Builder rssBytes(OptionalLong rssBytes) {
            this.rssBytes = rssBytes;
            return this;
        }

        public Builder rssAnonBytes(OptionalLong rssAnonBytes) {
            this.rssAnonBytes = rssAnonBytes;
            return this;
        }

        public Builder rssFileBytes(OptionalLong rssFileBytes) {
            this.rssFileBytes = rssFileBytes;
            return this;
        }

        public Builder rssShmemBytes(OptionalLong rssShmemBytes) {
            this.rssShmemBytes = rssShmemBytes;
            return this;
        }

        public Builder swapBytes(OptionalLong swapBytes) {
            this.swapBytes = swapBytes;
            return this;
        }

        public Builder pssBytes(OptionalLong pssBytes) {
            this.pssBytes = pssBytes;
            return this;
        }

        public Builder pssAnonBytes(OptionalLong pssAnonBytes) {
            this.pssAnonBytes = pssAnonBytes;
            return this;
        }

        public Builder pssFileBytes(OptionalLong pssFileBytes) {
            this.pssFileBytes = pssFileBytes;
            return this;
        }

        public Builder pssShmemBytes(OptionalLong pssShmemBytes) {
            this.pssShmemBytes = pssShmemBytes;
            return this;
        }

        public Builder smapsTimeMillis(long smapsTimeMillis) {
            this.smapsTimeMillis = smapsTimeMillis;
            return this;
        }

        public ProcessSnapshot build() {
            return new ProcessSnapshot(rssBytes, rssAnonBytes, rssFileBytes, rssShmemBytes, swapBytes, pssBytes,
                    pssAnonBytes, pssFileBytes, pssShmemBytes, smapsTimeMillis);
        }
    }
}
