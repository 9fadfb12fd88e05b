package dev.headroom.agent.who;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.InstrumentedType;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.matcher.ElementMatcher;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.jar.JarOutputStream;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;
import static net.bytebuddy.matcher.ElementMatchers.takesNoArguments;

/**
 * The only class that touches Byte Buddy: {@link Who} loads it when attribution first switches on,
 * so no Byte Buddy class is loaded before. It retransforms exactly the JDK classes of {@link #plan()},
 * adding advice that calls {@link dev.headroom.agent.who.boot.WhoHook}; {@link #remove} takes the
 * transformer away and retransforms them again, which gives back the JDK's original bytes (a retransformation starts from
 * the class file as loaded, then applies the transformers still registered:
 * {@link Instrumentation#retransformClasses}).
 *
 * <p>A transformation that fails leaves the class as it was; {@link #install} then removes everything
 * and throws, so the application never runs half-instrumented code.
 */
final class Instrumenter {
    static final String HOOK = "dev.headroom.agent.who.boot.WhoHook";

    private final Instrumentation instrumentation;
    private final ClassFileTransformer transformer;
    private final Class<?>[] targets;

    private Instrumenter(Instrumentation instrumentation, ClassFileTransformer transformer, Class<?>[] targets) {
        this.instrumentation = instrumentation;
        this.transformer = transformer;
        this.targets = targets;
    }

    /**
     * Puts {@link dev.headroom.agent.who.boot.WhoHook} on the bootstrap class path (once per JVM) and
     * lets {@code java.base} read it; returns it, loaded by the bootstrap loader.
     */
    static Class<?> bootHook(Instrumentation instrumentation) throws IOException, ClassNotFoundException {
        Class<?> hook;
        try {
            hook = Class.forName(HOOK, true, null);
        } catch (ClassNotFoundException notYet) {
            String entry = HOOK.replace('.', '/') + ".class";
            byte[] bytes;
            try (InputStream in = Instrumenter.class.getClassLoader().getResourceAsStream(entry)) {
                if (in == null) {
                    throw new IOException(entry + " is not in the agent jar");
                }
                bytes = in.readAllBytes();
            }
            Path jar = Files.createTempFile("headroom-who-", ".jar");
            try {
                try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
                    out.putNextEntry(new JarEntry(entry));
                    out.write(bytes);
                    out.closeEntry();
                }
                try (JarFile file = new JarFile(jar.toFile())) {
                    instrumentation.appendToBootstrapClassLoaderSearch(file);
                }
                // Loading it now opens the jar for good, so the file can go (the JVM keeps it open).
                hook = Class.forName(HOOK, true, null);
            } finally {
                Files.deleteIfExists(jar);
            }
        }
        // java.base reads no unnamed module by default; the advice inlined into it calls the hook.
        Module base = Object.class.getModule();
        if (!base.canRead(hook.getModule())) {
            instrumentation.redefineModule(base, Set.of(hook.getModule()), Map.of(), Map.of(), Set.of(), Map.of());
        }
        return hook;
    }

    /** One advice and the methods of a target class it is inlined into. */
    private record Visit(Class<?> advice, ElementMatcher<? super MethodDescription> where) {
    }

    /**
     * What is instrumented: the constructor behind {@code allocateDirect}, {@code Thread.start()}, the
     * two zlib stream references' constructors and {@code run()}, and the class-defining methods of
     * {@code ClassLoader} and {@code MethodHandles.Lookup}. Loaded without initialisation: a
     * retransformation needs the class, not its static state.
     */
    private static Map<Class<?>, List<Visit>> plan() throws ClassNotFoundException {
        Map<Class<?>, List<Visit>> plan = new LinkedHashMap<>();
        plan.put(Class.forName("java.nio.DirectByteBuffer", false, null),
                List.of(new Visit(DirectBufferAdvice.class, isConstructor().and(takesArguments(int.class)))));
        plan.put(Thread.class, List.of(new Visit(ThreadStartAdvice.class, named("start").and(takesNoArguments()))));
        List<Visit> zlib = List.of(new Visit(ZlibAdvice.Created.class, isConstructor().and(takesArguments(2))),
                new Visit(ZlibAdvice.Ended.class, named("run").and(takesNoArguments())));
        plan.put(Class.forName("java.util.zip.Deflater$DeflaterZStreamRef", false, null), zlib);
        plan.put(Class.forName("java.util.zip.Inflater$InflaterZStreamRef", false, null), zlib);
        plan.put(ClassLoader.class, List.of(new Visit(ClassDefineAdvice.ReturnsClass.class, named("defineClass")
                .and(takesArguments(String.class, byte[].class, int.class, int.class, ProtectionDomain.class)
                        .or(takesArguments(String.class, ByteBuffer.class, ProtectionDomain.class))))));
        plan.put(MethodHandles.Lookup.class, List.of(
                new Visit(ClassDefineAdvice.ReturnsClass.class, named("defineClass").and(takesArguments(byte[].class))),
                new Visit(ClassDefineAdvice.ReturnsLookup.class, isPublic()
                        .and(named("defineHiddenClass").or(named("defineHiddenClassWithClassData"))))));
        return plan;
    }

    /** Installs the advice and retransforms every target; throws, with nothing left installed, when any fails. */
    static Instrumenter install(Instrumentation instrumentation) throws Exception {
        Map<Class<?>, List<Visit>> plan = plan();
        Class<?>[] targets = plan.keySet().toArray(new Class<?>[0]);
        List<String> failures = new CopyOnWriteArrayList<>();
        List<String> transformed = new CopyOnWriteArrayList<>();
        ClassFileTransformer transformer = new ClassFileTransformer() {
            @Override
            public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain, byte[] bytes) {
                // Only the classes asked for, only when retransformed: never a class being loaded.
                List<Visit> visits = redefined == null ? null : plan.get(redefined);
                if (visits == null) {
                    return null;
                }
                try {
                    byte[] out = withAdvice(redefined, bytes, visits);
                    transformed.add(redefined.getName());
                    return out;
                } catch (Throwable t) {
                    failures.add(redefined.getName() + ": " + t);
                    return null; // the class keeps its code
                }
            }
        };
        Instrumenter installed = new Instrumenter(instrumentation, transformer, targets);
        instrumentation.addTransformer(transformer, true);
        try {
            instrumentation.retransformClasses(targets);
        } catch (Exception | Error e) {
            installed.remove();
            throw e;
        }
        if (!failures.isEmpty() || transformed.size() < targets.length) {
            installed.remove();
            throw new IllegalStateException("instrumentation failed: " + (failures.isEmpty() ? "only " + transformed
                    + " transformed" : String.join("; ", failures)));
        }
        return installed;
    }

    /**
     * {@code bytes} with {@code advice} inlined into the matched methods and nothing else changed: no
     * member added, no type initializer ({@code FROZEN}, the disabled implementation context), as a
     * retransformation requires. Plain {@code ByteBuddy} rather than its {@code AgentBuilder}: no class
     * injection machinery (which reaches for {@code sun.misc.Unsafe}, and JDK 24+ warns about that on
     * the application's stderr), and fewer classes to load at switch-on.
     */
    private static byte[] withAdvice(Class<?> type, byte[] bytes, List<Visit> visits) {
        ClassFileLocator locator = new ClassFileLocator.Compound(ClassFileLocator.Simple.of(type.getName(), bytes),
                ClassFileLocator.ForClassLoader.ofBootLoader());
        DynamicType.Builder<?> builder = new ByteBuddy()
                .with(TypeValidation.DISABLED)
                .with(Implementation.Context.Disabled.Factory.INSTANCE)
                .with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE)
                .with(InstrumentedType.Factory.Default.FROZEN)
                .redefine(TypeDescription.ForLoadedType.of(type), locator);
        for (Visit v : visits) {
            builder = builder.visit(Advice.to(v.advice()).on(v.where()));
        }
        return builder.make().getBytes();
    }

    /** Removes the transformer and gives every target its original bytes back. */
    void remove() throws Exception {
        instrumentation.removeTransformer(transformer);
        instrumentation.retransformClasses(targets);
    }
}
