package dev.headroom.agent.who;

import dev.headroom.agent.who.boot.WhoHook;
import net.bytebuddy.asm.Advice;

/** Inlined at the end of {@code Thread.start()}: run once the thread was started (not when start threw). */
final class ThreadStartAdvice {
    private ThreadStartAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.This Thread thread) {
        WhoHook.thread(thread);
    }
}
