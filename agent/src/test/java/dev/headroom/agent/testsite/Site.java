package dev.headroom.agent.testsite;

import java.util.function.Supplier;

/**
 * An application frame for the attribution's unit tests: their own classes are in
 * {@code dev.headroom.agent.who}, which site naming skips as Headroom's own.
 */
public final class Site {
    private Site() {
    }

    public static <T> T call(Supplier<T> work) {
        return work.get();
    }

    /** A class loader of the application's, whose own frames a class-definition site skips. */
    public static final class Loader extends ClassLoader {
        public Loader(ClassLoader parent) {
            super(parent);
        }

        public <T> T inside(Supplier<T> work) {
            return work.get();
        }

        public Class<?> define(String name, byte[] bytes) {
            return defineClass(name, bytes, 0, bytes.length);
        }
    }
}
