package dev.headroom.agent.who;

import dev.headroom.agent.who.boot.WhoHook;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the end of {@code java.nio.DirectByteBuffer(int)}, the constructor behind
 * {@code ByteBuffer.allocateDirect} in JDK 17 to 25 (the one that reserves and allocates; views,
 * slices and mapped buffers use the others and hold no memory of their own). Not run when the
 * constructor throws (direct memory exhausted): nothing was allocated.
 */
final class DirectBufferAdvice {
    private DirectBufferAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.This Object buffer, @Advice.Argument(0) int capacity) {
        WhoHook.direct(buffer, capacity);
    }
}
