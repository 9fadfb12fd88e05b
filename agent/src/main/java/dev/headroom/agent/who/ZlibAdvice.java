package dev.headroom.agent.who;

import dev.headroom.agent.who.boot.WhoHook;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into {@code java.util.zip.Deflater$DeflaterZStreamRef} and {@code Inflater$InflaterZStreamRef}
 * (JDK 17 to 25): the object that owns a zlib stream's native memory. Its constructor receives the
 * address {@code deflateInit2}/{@code inflateInit2} returned; its {@code run()} is the one place that
 * frees it, whether {@code end()} called it (through {@code Cleanable.clean()}) or the common cleaner
 * did after the owner became unreachable. A {@code Cleanable} runs its action at most once, and
 * {@code run()} zeroes the address before freeing, so every stream is taken back exactly once.
 */
final class ZlibAdvice {
    private ZlibAdvice() {
    }

    /** At the end of the constructor {@code (owner, address)}: the stream exists. */
    static final class Created {
        private Created() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object ref, @Advice.Argument(1) long address) {
            WhoHook.zlib(ref, address);
        }
    }

    /**
     * At the start of the synchronized {@code run()}: inside its monitor, so the address read here is
     * the one it is about to free, or 0 when it was freed already.
     */
    static final class Ended {
        private Ended() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("address") long address) {
            if (address != 0) {
                WhoHook.zlibEnd(address);
            }
        }
    }
}
