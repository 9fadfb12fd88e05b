package dev.headroom;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A user of the public API never needs an internal type: no public or protected signature of a
 * public type in a public package (its supertypes, fields, constructors, methods, their generic
 * arguments and exceptions) names a type under {@code dev.headroom.internal}. Read from the compiled
 * classes, so it sees exactly what a user's compiler sees.
 */
class PublicApiTest {
    /** The packages users may touch (docs/architecture.md, "The API boundary"). */
    static final List<String> PUBLIC_PACKAGES = List.of("dev.headroom", "dev.headroom.metrics");

    @Test
    void publicSignaturesNameNoInternalType() throws Exception {
        List<String> leaks = new ArrayList<>();
        List<Class<?>> types = publicTypes();
        assertTrue(types.contains(Headroom.class) && types.contains(dev.headroom.metrics.MeterCatalog.class), types.toString());
        for (Class<?> c : types) {
            check(c.getGenericSuperclass(), c.getName() + " extends", leaks);
            for (Type t : c.getGenericInterfaces()) {
                check(t, c.getName() + " implements", leaks);
            }
            for (Field f : c.getDeclaredFields()) {
                if (exposed(f.getModifiers())) {
                    check(f.getGenericType(), c.getName() + "." + f.getName(), leaks);
                }
            }
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                checkExecutable(k, c.getName() + ".<init>", leaks);
            }
            for (Method m : c.getDeclaredMethods()) {
                if (!m.isSynthetic()) {
                    checkExecutable(m, c.getName() + "." + m.getName(), leaks);
                    if (exposed(m.getModifiers())) {
                        check(m.getGenericReturnType(), c.getName() + "." + m.getName() + " returns", leaks);
                    }
                }
            }
        }
        assertTrue(leaks.isEmpty(), "public signatures that name internal types (a user could not call them without "
                + "reaching into dev.headroom.internal):\n  " + String.join("\n  ", leaks));
    }

    /** Every type in the public packages a user can name: public, and nested only in such types. */
    private static List<Class<?>> publicTypes() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(Headroom.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Class<?>> out = new ArrayList<>();
        for (String pkg : PUBLIC_PACKAGES) {
            try (Stream<Path> files = Files.list(classes.resolve(pkg.replace('.', '/')))) {
                for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(".class") && !name.equals("package-info.class")) {
                        Class<?> c = Class.forName(pkg + "." + name.substring(0, name.length() - ".class".length()),
                                false, PublicApiTest.class.getClassLoader());
                        if (nameable(c)) {
                            out.add(c);
                        }
                    }
                }
            }
        }
        return out;
    }

    private static boolean nameable(Class<?> c) {
        return Modifier.isPublic(c.getModifiers()) && !c.isSynthetic() && !c.isAnonymousClass() && !c.isLocalClass()
                && (c.getEnclosingClass() == null || nameable(c.getEnclosingClass()));
    }

    private static boolean exposed(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static void checkExecutable(Executable e, String where, List<String> leaks) {
        if (!exposed(e.getModifiers()) || e.isSynthetic()) {
            return;
        }
        for (Type p : e.getGenericParameterTypes()) {
            check(p, where + " takes", leaks);
        }
        for (Type x : e.getGenericExceptionTypes()) {
            check(x, where + " throws", leaks);
        }
    }

    private static void check(Type type, String where, List<String> leaks) {
        Set<Type> internal = new HashSet<>();
        collectInternal(type, new HashSet<>(), internal);
        internal.forEach(t -> leaks.add(where + " " + t.getTypeName()));
    }

    private static void collectInternal(Type type, Set<Type> seen, Set<Type> out) {
        if (type == null || !seen.add(type)) {
            return;
        }
        if (type instanceof Class<?> c) {
            Class<?> top = c;
            while (top.isArray()) {
                top = top.getComponentType();
            }
            if (top.getName().startsWith("dev.headroom.internal.")) {
                out.add(top);
            }
        } else if (type instanceof ParameterizedType p) {
            collectInternal(p.getRawType(), seen, out);
            collectInternal(p.getOwnerType(), seen, out);
            for (Type a : p.getActualTypeArguments()) {
                collectInternal(a, seen, out);
            }
        } else if (type instanceof WildcardType w) {
            for (Type b : w.getUpperBounds()) {
                collectInternal(b, seen, out);
            }
            for (Type b : w.getLowerBounds()) {
                collectInternal(b, seen, out);
            }
        } else if (type instanceof GenericArrayType a) {
            collectInternal(a.getGenericComponentType(), seen, out);
        } else if (type instanceof TypeVariable<?> v) {
            for (Type b : v.getBounds()) {
                collectInternal(b, seen, out);
            }
        }
    }
}
