package dev.headroom.spring;

import dev.headroom.Headroom;
import dev.headroom.HeadroomConfig;
import dev.headroom.HeadroomEvent;
import dev.headroom.HeadroomListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

import java.util.Map;

/**
 * Logs every Headroom event to the SLF4J logger {@value #LOGGER} while the context runs (from the
 * moment it has Headroom, before the application's options are applied to a running instance), with the
 * event's key/values ({@code event}, {@code level}, {@code workingSetBytes}, ...) through the SLF4J 2
 * fluent API, at the event's level (a CRITICAL pressure level and an exit at ERROR; WARN, heap dumps
 * and Headroom's own errors at WARN; the rest at INFO). Called on Headroom's {@code headroom-listeners}
 * thread, never on the sampler or an application thread.
 *
 * <p>While it runs, it tells every copy of Headroom in the JVM (the agent's too, whatever its class
 * loader) that the application has the events ({@link HeadroomConfig.Log#APPLICATION_LOGS_PROPERTY}):
 * with {@code headroom.log=slf4j} their {@code [headroom]} event lines stop, so each event is said
 * once; with {@code both} they stay. Failures of Headroom itself are printed on stderr regardless.
 */
public class HeadroomEventLogger {
    public static final String LOGGER = "dev.headroom.events";

    private final Headroom headroom;
    private final HeadroomConfig.Log mode;
    private final Logger logger = LoggerFactory.getLogger(LOGGER);
    private AutoCloseable listener;
    private boolean setProperty;

    public HeadroomEventLogger(Headroom headroom, HeadroomConfig.Log mode) {
        this.headroom = headroom;
        this.mode = mode;
    }

    public synchronized void start() {
        if (listener != null) {
            return;
        }
        listener = headroom.addListener(new HeadroomListener() {
            @Override
            public void onEvent(HeadroomEvent event) {
                log(event);
            }
        });
        // Another context (a parent, a test's) may have said it already: it clears it when it stops.
        setProperty = System.getProperties().putIfAbsent(HeadroomConfig.Log.APPLICATION_LOGS_PROPERTY, mode.toString()) == null;
    }

    void log(HeadroomEvent event) {
        LoggingEventBuilder b = logger.atLevel(level(event.level()));
        for (Map.Entry<String, Object> kv : event.keyValues().entrySet()) {
            b = b.addKeyValue(kv.getKey(), kv.getValue());
        }
        b.log(event.message());
    }

    static Level level(System.Logger.Level level) {
        return switch (level) {
            case ERROR -> Level.ERROR;
            case WARNING -> Level.WARN;
            case DEBUG -> Level.DEBUG;
            case TRACE, ALL -> Level.TRACE;
            default -> Level.INFO;
        };
    }

    public synchronized void stop() {
        if (setProperty) {
            System.getProperties().remove(HeadroomConfig.Log.APPLICATION_LOGS_PROPERTY);
            setProperty = false;
        }
        if (listener != null) {
            try {
                listener.close();
            } catch (Exception e) {
                logger.debug("Headroom: removing the event listener failed", e);
            }
            listener = null;
        }
    }

    public synchronized boolean isRunning() {
        return listener != null;
    }
}
