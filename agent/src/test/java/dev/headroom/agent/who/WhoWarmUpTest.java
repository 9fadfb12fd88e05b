package dev.headroom.agent.who;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.ObjIntConsumer;
import java.util.function.ObjLongConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After {@link Who#warmUpHooks()} the hooks' paths load no class: a hook may run on an application
 * thread holding a JDK monitor (a {@code ZipFile}'s, while it builds an {@code Inflater}), where a
 * class load can deadlock. Headroom's classes are loaded afresh by a loader that defines them itself
 * and records each one, so the classes other tests loaded in this JVM do not hide a missing warm-up.
 */
class WhoWarmUpTest {

    /** Defines Headroom's classes itself (child first) and remembers their names; the rest from its parent. */
    private static final class Recording extends ClassLoader {
        final Set<String> defined = ConcurrentHashMap.newKeySet();

        Recording() {
            super(WhoWarmUpTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("dev.headroom.") || name.equals(WhoWarmUpTest.class.getName())) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                        if (in == null) {
                            throw new ClassNotFoundException(name);
                        }
                        byte[] bytes = in.readAllBytes();
                        c = defineClass(name, bytes, 0, bytes.length);
                        defined.add(name);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                return c;
            }
        }
    }

    private static Object instance(ClassLoader loader, String simpleName) throws Exception {
        Constructor<?> c = loader.loadClass("dev.headroom.agent.who." + simpleName).getDeclaredConstructor();
        c.setAccessible(true);
        return c.newInstance();
    }

    /** Every hook path once, on fresh tables: a direct buffer (sampled by its size), a thread, a zlib stream, a class. */
    @SuppressWarnings("unchecked")
    private static void runHooks(ClassLoader loader) throws Exception {
        for (int i = 0; i < 4; i++) {
            ((ObjIntConsumer<Object>) instance(loader, "DirectSites")).accept(new Object(), Integer.MAX_VALUE);
        }
        ((Consumer<Thread>) instance(loader, "ThreadSites")).accept(new Thread(() -> { }));
        Object zlib = instance(loader, "ZlibSites");
        ((ObjLongConsumer<Object>) zlib).accept(new Object(), 42L);
        ((LongConsumer) zlib).accept(42L);
        List<Throwable> failed = new ArrayList<>();
        Consumer<Class<?>> classes = (Consumer<Class<?>>) instance(loader, "ClassSites");
        Thread runner = new Thread(() -> {
            try {
                classes.accept(String.class);
            } catch (Throwable t) {
                failed.add(t);
            }
        }, "an-application-thread"); // the class hook skips Headroom's threads
        runner.start();
        runner.join();
        assertTrue(failed.isEmpty(), failed.toString());
    }

    @Test
    void afterTheWarmUpTheHooksLoadNoClass() throws Exception {
        Recording loader = new Recording();
        Method warmUp = loader.loadClass(Who.class.getName()).getDeclaredMethod("warmUpHooks");
        warmUp.setAccessible(true);
        warmUp.invoke(null);
        Set<String> afterWarmUp = Set.copyOf(loader.defined);
        assertTrue(afterWarmUp.contains(SiteTable.class.getName() + "$Site"), afterWarmUp.toString());

        runHooks(loader);
        Set<String> added = new TreeSet<>(loader.defined);
        added.removeAll(afterWarmUp);
        assertEquals(Set.of(), added, "classes the hooks loaded after the warm-up");
    }

    @Test
    void withoutItTheFirstHookLoadsClasses() throws Exception {
        // The check above can fail: the same paths, not warmed, load the tables' inner classes.
        Recording loader = new Recording();
        runHooks(loader);
        assertTrue(loader.defined.contains(SiteTable.class.getName() + "$Site"), loader.defined.toString());
    }
}
