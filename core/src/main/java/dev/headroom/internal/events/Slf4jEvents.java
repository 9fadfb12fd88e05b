package dev.headroom.internal.events;

import dev.headroom.HeadroomConfig;
import dev.headroom.HeadroomEvent;
import dev.headroom.HeadroomListener;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;

/**
 * Logs events to the application's SLF4J, found at run time and called reflectively: Headroom has no
 * dependency on SLF4J, and its copy may sit in another class loader than the application's (the
 * agent in the system class loader, SLF4J in a Spring Boot fat jar's). Only a {@code LoggerFactory}
 * that the application has already initialised is used ({@link #initialised}): Headroom never
 * initialises a logging framework, which would configure it before the application does.
 *
 * <p>Logs through the logger {@value #LOGGER}, with the SLF4J 2 fluent API: the level from
 * {@link HeadroomEvent#level()}, the event's {@link HeadroomEvent#keyValues() key/values}, the
 * event's message. With SLF4J 1.x (no fluent API) the key/values follow the message as
 * {@code key=value}. Called on the {@code headroom-listeners} thread (it is a listener), so a slow
 * appender never holds the sampler. Stands down while the application logs the events itself
 * ({@link HeadroomConfig.Log#APPLICATION_LOGS_PROPERTY}).
 */
public final class Slf4jEvents implements HeadroomListener {
    public static final String LOGGER = "dev.headroom.events";
    static final String FACTORY = "org.slf4j.LoggerFactory";
    /** {@code LoggerFactory.SUCCESSFUL_INITIALIZATION}, the same in SLF4J 1.7 and 2.x. */
    private static final int SUCCESSFUL_INITIALIZATION = 3;

    private final Diagnostics diagnostics;
    private final Object logger;
    /** {@code atError()}, ... with the fluent API, else {@code error(String)}, ...; by {@link #name}. */
    private final Map<String, Method> levels = new HashMap<>();
    private final boolean fluent;
    private final Method addKeyValue;
    private final Method setMessage;
    private final Method log;
    private final Class<?> loggerType;

    private Slf4jEvents(Class<?> factory, Diagnostics diagnostics) throws ReflectiveOperationException {
        this.diagnostics = diagnostics;
        ClassLoader loader = factory.getClassLoader();
        this.loggerType = Class.forName("org.slf4j.Logger", false, loader);
        this.logger = factory.getMethod("getLogger", String.class).invoke(null, LOGGER);
        Method kv = null;
        Method msg = null;
        Method lg = null;
        try {
            Class<?> builder = Class.forName("org.slf4j.spi.LoggingEventBuilder", false, loader);
            kv = builder.getMethod("addKeyValue", String.class, Object.class);
            msg = builder.getMethod("setMessage", String.class);
            lg = builder.getMethod("log");
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            kv = null; // SLF4J 1.x: plain calls with the key/values in the message
        }
        this.fluent = kv != null;
        this.addKeyValue = kv;
        this.setMessage = msg;
        this.log = lg;
        for (String level : new String[] {"error", "warn", "info", "debug", "trace"}) {
            levels.put(level, fluent ? loggerType.getMethod("at" + Character.toUpperCase(level.charAt(0)) + level.substring(1))
                    : loggerType.getMethod(level, String.class));
        }
    }

    /**
     * The logger over the first class among {@code loaded} that is an initialised SLF4J
     * {@code LoggerFactory}; null when there is none yet.
     *
     * @throws ReflectiveOperationException when a LoggerFactory is initialised but cannot be used
     */
    public static Slf4jEvents find(Class<?>[] loaded, Diagnostics diagnostics) throws ReflectiveOperationException {
        for (Class<?> c : loaded) {
            if (c != null && c.getName().equals(FACTORY) && initialised(c)) {
                return new Slf4jEvents(c, diagnostics);
            }
        }
        return null;
    }

    /**
     * Whether the application has initialised this {@code LoggerFactory} (bound a provider): its
     * {@code INITIALIZATION_STATE}. Reading a static field initialises the class itself, which only
     * sets its constants; the provider is bound at the first {@code getLogger}, which is left to the
     * application. False when the state cannot be read (a named module that does not open it).
     */
    static boolean initialised(Class<?> factory) {
        try {
            Field state = factory.getDeclaredField("INITIALIZATION_STATE");
            state.setAccessible(true);
            return state.getInt(null) == SUCCESSFUL_INITIALIZATION;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
    }

    @Override
    public void onEvent(HeadroomEvent event) {
        if (System.getProperty(HeadroomConfig.Log.APPLICATION_LOGS_PROPERTY) != null) {
            return;
        }
        try {
            Method level = levels.get(name(event.level()));
            if (fluent) {
                Object b = level.invoke(logger);
                for (Map.Entry<String, Object> kv : event.keyValues().entrySet()) {
                    addKeyValue.invoke(b, kv.getKey(), kv.getValue());
                }
                setMessage.invoke(b, event.message());
                log.invoke(b);
            } else {
                level.invoke(logger, withKeyValues(event));
            }
        } catch (InvocationTargetException e) {
            diagnostics.failure("logging an event to SLF4J", e.getCause() != null ? e.getCause() : e);
        } catch (ReflectiveOperationException | RuntimeException e) {
            diagnostics.failure("logging an event to SLF4J", e);
        }
    }

    /** SLF4J's name of the level ({@code warn}). */
    static String name(System.Logger.Level level) {
        return switch (level) {
            case ERROR -> "error";
            case WARNING -> "warn";
            case DEBUG -> "debug";
            case TRACE, ALL -> "trace";
            default -> "info";
        };
    }

    private static String withKeyValues(HeadroomEvent event) {
        StringBuilder sb = new StringBuilder(event.message());
        for (Map.Entry<String, Object> kv : event.keyValues().entrySet()) {
            sb.append(' ').append(kv.getKey()).append('=').append(kv.getValue());
        }
        return sb.toString();
    }

    /** The logger in use, as a class loader and name; for the line that says where events go now. */
    public String describe() {
        return LOGGER + " (SLF4J in " + loggerType.getClassLoader() + ")";
    }
}
