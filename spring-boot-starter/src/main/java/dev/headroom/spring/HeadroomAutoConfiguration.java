package dev.headroom.spring;

import dev.headroom.Headroom;
import dev.headroom.HeadroomConfig;
import dev.headroom.Reconfiguration;
import dev.headroom.micrometer.HeadroomMetrics;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts Headroom (or reuses the one already running in this JVM, e.g. the agent's: one sampler and
 * one governor per JVM), and, when the application has them, binds the {@code headroom.*} meters,
 * adds a health indicator and the {@code headroom} actuator endpoint, publishes
 * {@link HeadroomLevelChangedEvent}s and, opt-in, readiness changes. Every bean backs off when the
 * application defines its own.
 */
@AutoConfiguration(after = ApplicationAvailabilityAutoConfiguration.class,
        afterName = "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration")
@ConditionalOnProperty(prefix = "headroom", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(HeadroomProperties.class)
public class HeadroomAutoConfiguration {
    private static final Log LOG = LogFactory.getLog(HeadroomAutoConfiguration.class);

    /** The configuration from {@code headroom.*}; a bad value is reported once and keeps its default. */
    @Bean
    @ConditionalOnMissingBean
    public HeadroomConfig headroomConfig(HeadroomProperties properties) {
        List<String> problems = new ArrayList<>();
        HeadroomConfig config = toConfig(properties.toOptions(), problems);
        for (String p : problems) {
            LOG.warn("Headroom: " + p);
        }
        return config;
    }

    /**
     * Builds a configuration forgivingly, like the agent does: each bad value goes to {@code problems}
     * (naming the key and the accepted forms) and keeps its default; values that are fine alone but
     * not together fall back to the defaults as a whole.
     */
    static HeadroomConfig toConfig(Map<String, String> options, List<String> problems) {
        HeadroomConfig.Builder b = HeadroomConfig.builder();
        String file = options.get("config");
        if (file != null) {
            // The file is read as the agent reads it (its problems reported the same way); every
            // headroom.* property set here then overrides what it says.
            HeadroomConfig.Loaded fromFile = HeadroomConfig.load(null, Map.of("headroom.config", file), Map.of());
            problems.addAll(fromFile.problems());
            b = fromFile.config().toBuilder();
        }
        boolean protectionRejected = false;
        for (Map.Entry<String, String> e : options.entrySet()) {
            try {
                b.set(e.getKey(), e.getValue());
            } catch (IllegalArgumentException ex) {
                problems.add(ex.getMessage() + "; keeping the default (property headroom." + e.getKey() + ")");
                // prometheusTlsKeyStore, prometheusBasicAuth*, ...: their default is "no protection"
                protectionRejected |= e.getKey().startsWith("prometheus") && !e.getKey().equals("prometheus");
            }
        }
        if (protectionRejected) {
            b.prometheus(null);
            problems.add("the Prometheus endpoint stays off: Headroom never serves it with less protection than asked");
        }
        try {
            return b.build();
        } catch (IllegalArgumentException ex) {
            problems.add(ex.getMessage() + "; using the default configuration");
            return HeadroomConfig.defaults();
        }
    }

    /**
     * Headroom as started (or found running) by this context; closes it at shutdown only if it started
     * it. When it was running already (the agent's), the options the application set are applied to it
     * where they can change at run time, and the others are named in one WARN.
     */
    @Bean
    @ConditionalOnMissingBean(Headroom.class)
    public HeadroomHandle headroomHandle(HeadroomConfig config, HeadroomProperties properties) {
        return HeadroomHandle.start(config, applicationKeys(config, properties), logMode(properties));
    }

    /**
     * The options the application set: its {@code headroom.*} properties, and whatever its configuration
     * (its config file, its own {@code HeadroomConfig} bean) has other than the defaults. Not {@code log}:
     * the starter logs the events itself ({@link HeadroomEventLogger}).
     */
    /**
     * {@code headroom.log}: slf4j unless set (a bad value is reported with the other options' problems
     * and keeps slf4j); stderr as well when the application has no SLF4J 2.
     */
    static HeadroomConfig.Log logMode(HeadroomProperties properties) {
        HeadroomConfig.Log mode;
        try {
            mode = properties.getLog() == null ? HeadroomConfig.Log.SLF4J : HeadroomConfig.Log.parse(properties.getLog());
        } catch (IllegalArgumentException e) {
            mode = HeadroomConfig.Log.SLF4J;
        }
        boolean slf4j2 = ClassUtils.isPresent("org.slf4j.spi.LoggingEventBuilder", HeadroomAutoConfiguration.class.getClassLoader());
        return slf4j2 ? mode : HeadroomConfig.Log.STDERR;
    }

    static Set<String> applicationKeys(HeadroomConfig config, HeadroomProperties properties) {
        Set<String> keys = new LinkedHashSet<>(properties.toOptions().keySet());
        Set<String> known = new HashSet<>();
        HeadroomConfig.options().forEach(o -> known.add(o.key()));
        // key=value pairs; a comma inside a path leaves a piece that names no option, which is skipped
        for (String pair : config.toSpecDifferingFromDefaults().split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && known.contains(pair.substring(0, eq))) {
                keys.add(pair.substring(0, eq));
            }
        }
        keys.remove("log");
        return keys;
    }

    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    public Headroom headroom(HeadroomHandle handle) {
        return handle.headroom();
    }

    @Bean
    @ConditionalOnMissingBean
    public HeadroomEventBridge headroomEventBridge(Headroom headroom, ApplicationEventPublisher publisher) {
        return new HeadroomEventBridge(headroom, publisher);
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "headroom.readiness", name = "enabled", havingValue = "true")
    public HeadroomReadiness headroomReadiness(Headroom headroom, ApplicationEventPublisher publisher) {
        return new HeadroomReadiness(headroom, publisher);
    }

    /** The meters, bound by Spring Boot to every MeterRegistry; closed (meters removed) with the context. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    @ConditionalOnProperty(prefix = "headroom.metrics", name = "enabled", havingValue = "true", matchIfMissing = true)
    static class Metrics {
        @Bean
        @ConditionalOnMissingBean
        public HeadroomMetrics headroomMetrics(Headroom headroom) {
            return new HeadroomMetrics(headroom);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class Actuator {
        @Bean
        @ConditionalOnMissingBean(name = "headroomHealthIndicator")
        @ConditionalOnEnabledHealthIndicator("headroom")
        public HeadroomHealthIndicator headroomHealthIndicator(Headroom headroom, HeadroomProperties properties) {
            return new HeadroomHealthIndicator(headroom, properties.getHealth().getWarnStatus(),
                    properties.getHealth().getCriticalStatus());
        }

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnAvailableEndpoint
        public HeadroomEndpoint headroomEndpoint(Headroom headroom) {
            return new HeadroomEndpoint(headroom);
        }
    }

    /**
     * The Headroom this context uses and whether it started it. Headroom runs once per JVM: when the
     * agent (or the application) started it first, {@link Headroom#start} returns that instance, or,
     * from another class loader, a handle reading from it, and this context must not stop it.
     */
    public static final class HeadroomHandle implements DisposableBean {
        /** The system property the agent sets JVM-wide: {@code agent <version> from <jar>}. */
        static final String AGENT_PROPERTY = "dev.headroom.agent.loaded";
        private static final AtomicBoolean VERSION_WARNED = new AtomicBoolean();

        private final Headroom headroom;
        private final boolean owned;

        private final HeadroomEventLogger events;

        private HeadroomHandle(Headroom headroom, boolean owned, HeadroomEventLogger events) {
            this.headroom = headroom;
            this.owned = owned;
            this.events = events;
        }

        /** What logs the events to SLF4J; null with {@code headroom.log=stderr} or without SLF4J 2. */
        public HeadroomEventLogger eventLogger() {
            return events;
        }

        static HeadroomHandle start(HeadroomConfig config, Set<String> applicationKeys, HeadroomConfig.Log log) {
            checkAgentVersion(starterVersion(), System.getProperty(AGENT_PROPERTY));
            // Running in this class loader (the agent on the class path): reuse it without a start,
            // which would report every differing option as not applied before they are applied here.
            Headroom running = Headroom.current().orElse(null);
            Headroom h = running != null ? running : Headroom.start(config);
            boolean owned = running == null && h.config() == config;
            // Listening before the options change, so the events they cause are in the application's log.
            HeadroomEventLogger events = log.slf4j() ? new HeadroomEventLogger(h, log) : null;
            if (events != null) {
                events.start();
            }
            // Nothing differs for an instance this context started; another class loader's copy is
            // only read, so everything the application set is named as not applied.
            Reconfiguration r = h.reconfigure(config, applicationKeys);
            if (!r.applied().isEmpty()) {
                StringBuilder m = new StringBuilder("Headroom: applied the application's options to the instance already running"
                        + " in this JVM (the application's value wins for an option both set): ");
                String sep = "";
                for (Reconfiguration.Change c : r.applied()) {
                    m.append(sep).append(c.key()).append(' ').append(c.running()).append(" -> ").append(c.wanted());
                    sep = ", ";
                }
                LOG.info(m);
            } else if (running != null) {
                LOG.info("Headroom: reusing the instance already running in this JVM: " + h.config().toSpecDifferingFromDefaults());
            }
            r.warning().ifPresent(w -> LOG.warn("Headroom: " + w));
            return new HeadroomHandle(h, owned, events);
        }

        /**
         * Warns once per class loader when the agent in this JVM is another version than this starter:
         * the two share one instance, and with the agent on the class path, this starter runs on the
         * agent's copy of the core.
         */
        static void checkAgentVersion(String starter, String agentMarker) {
            String agent = agentVersion(agentMarker);
            if (agent != null && starter != null && !agent.equals(starter) && VERSION_WARNED.compareAndSet(false, true)) {
                LOG.warn("Headroom: the agent in this JVM is version " + agent + " and this Spring Boot starter is version "
                        + starter + "; use the same version of both (" + agentMarker + ")");
            }
        }

        /** The version in the agent's JVM-wide marker ({@code agent 0.1.0 from file:/...}); null when none or unknown. */
        static String agentVersion(String marker) {
            if (marker == null || !marker.startsWith("agent ")) {
                return null;
            }
            String[] words = marker.split(" ", 3);
            return words.length < 2 || words[1].equals("null") ? null : words[1];
        }

        /** This starter's version, written into its jar by the build; null when unknown. */
        static String starterVersion() {
            try (var in = HeadroomAutoConfiguration.class.getResourceAsStream("starter.properties")) {
                if (in == null) {
                    return null;
                }
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                return v == null || v.startsWith("${") ? null : v;
            } catch (java.io.IOException | RuntimeException e) {
                return null;
            }
        }

        public Headroom headroom() {
            return headroom;
        }

        /** True when this context started the instance (and will close it). */
        public boolean owned() {
            return owned;
        }

        @Override
        public void destroy() {
            if (events != null) {
                events.stop();
            }
            if (owned) {
                headroom.close();
            }
        }
    }
}
