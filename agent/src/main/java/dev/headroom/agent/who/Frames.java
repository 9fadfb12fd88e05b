package dev.headroom.agent.who;

import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Names a call site by its first application frame: the nearest caller that is not the JDK
 * ({@code java.}, {@code javax.}, {@code jdk.}, {@code sun.}, {@code com.sun.}) and not Headroom's own
 * attribution or runtime. The walk is lazy and stops at the first such frame, or after
 * {@value #MAX_DEPTH} frames ({@link StackWalker} fetches frames in small batches, so a short walk
 * costs little whatever the stack's depth).
 */
final class Frames {
    static final int MAX_DEPTH = 48;
    static final String NO_APPLICATION_FRAME = "(no application frame)";
    private static final StackWalker WALKER = StackWalker.getInstance();
    private static final Function<Stream<StackWalker.StackFrame>, Optional<StackWalker.StackFrame>> FIRST_APPLICATION_FRAME =
            frames -> frames.limit(MAX_DEPTH).filter(f -> application(f.getClassName())).findFirst();
    /** Needs the frames' classes, to tell a class loader's own methods from the code that asked it for a class. */
    private static final StackWalker CLASS_WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static final Function<Stream<StackWalker.StackFrame>, Optional<StackWalker.StackFrame>> FIRST_REQUESTING_FRAME =
            frames -> frames.limit(MAX_DEPTH).filter(f -> application(f.getClassName())
                    && !ClassLoader.class.isAssignableFrom(f.getDeclaringClass())).findFirst();

    private Frames() {
    }

    /** Runs this class's static set-up now (on the switching thread), and warms both walks. */
    static void initialize() {
        callerSite();
        requestingSite();
    }

    /** The site of the caller of the instrumented JDK method. */
    static String callerSite() {
        return describe(WALKER.walk(FIRST_APPLICATION_FRAME));
    }

    /**
     * The site of a class definition: the first application frame that is not in a class loader (a
     * plugin loader's {@code findClass} would otherwise name every class it defines alike).
     */
    static String requestingSite() {
        return describe(CLASS_WALKER.walk(FIRST_REQUESTING_FRAME));
    }

    private static String describe(Optional<StackWalker.StackFrame> f) {
        return f.isPresent() ? describe(f.get().getClassName(), f.get().getMethodName(), f.get().getFileName(),
                f.get().getLineNumber()) : NO_APPLICATION_FRAME;
    }

    static boolean application(String className) {
        return !(className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
                || className.startsWith("sun.") || className.startsWith("com.sun.")
                || className.startsWith("dev.headroom.agent.who.") || className.startsWith("dev.headroom.internal.")
                || className.startsWith("dev.headroom.shaded."));
    }

    /** Headroom names every thread it starts {@code headroom-...}: their work is not the application's. */
    static boolean headroomThread(String threadName) {
        return threadName != null && threadName.startsWith("headroom-");
    }

    /** {@code com.acme.Store.put (Store.java:88)}; the file is left out when unknown. */
    static String describe(String className, String method, String file, int line) {
        StringBuilder sb = new StringBuilder(className.length() + method.length() + 24).append(className).append('.').append(method);
        if (file != null) {
            sb.append(" (").append(file);
            if (line >= 0) {
                sb.append(':').append(line);
            }
            sb.append(')');
        } else if (line >= 0) {
            sb.append(" (line ").append(line).append(')');
        }
        return sb.toString();
    }
}
