package dev.headroom.agent.who;

import dev.headroom.agent.who.boot.WhoHook;
import net.bytebuddy.asm.Advice;

import java.lang.invoke.MethodHandles;

/**
 * Inlined at the end of the methods that define a class from bytes: the two {@code protected final}
 * {@code ClassLoader.defineClass} variants every class loader written in Java ends in (the byte-array
 * one with a protection domain, which the shorter overloads call, and the {@code ByteBuffer} one, which
 * the JDK's built-in loaders use), and the public {@code MethodHandles.Lookup} methods
 * ({@code defineClass}, {@code defineHiddenClass}, {@code defineHiddenClassWithClassData}), which reach
 * the VM through {@code ClassLoader.defineClass0} without passing the former. Not run when the
 * definition threw.
 */
final class ClassDefineAdvice {
    private ClassDefineAdvice() {
    }

    /** {@code ClassLoader.defineClass(...)} and {@code Lookup.defineClass(byte[])}: they return the class. */
    static final class ReturnsClass {
        private ReturnsClass() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Return Class<?> defined) {
            WhoHook.classDefined(defined);
        }
    }

    /** {@code Lookup.defineHiddenClass(...)}: returns a lookup on the hidden class. */
    static final class ReturnsLookup {
        private ReturnsLookup() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Return MethodHandles.Lookup lookup) {
            if (lookup != null) {
                WhoHook.classDefined(lookup.lookupClass());
            }
        }
    }
}
