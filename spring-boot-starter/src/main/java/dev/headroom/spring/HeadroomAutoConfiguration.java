package dev.headroom.spring;

import dev.headroom.Headroom;
import dev.headroom.HeadroomConfig;
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

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

    /** Headroom as started (or found running) by this context; closes it at shutdown only if it started it. */
    @Bean
    @ConditionalOnMissingBean(Headroom.class)
    public HeadroomHandle headroomHandle(HeadroomConfig config) {
        return HeadroomHandle.start(config);
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
        private final Headroom headroom;
        private final boolean owned;

        private HeadroomHandle(Headroom headroom, boolean owned) {
            this.headroom = headroom;
            this.owned = owned;
        }

        static HeadroomHandle start(HeadroomConfig config) {
            boolean runningBefore = Headroom.current().isPresent();
            Headroom h = Headroom.start(config);
            if (runningBefore) {
                LOG.info("Headroom: reusing the instance already running in this JVM (its configuration applies: "
                        + h.config() + ")");
            }
            return new HeadroomHandle(h, !runningBefore);
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
            if (owned) {
                headroom.close();
            }
        }
    }
}
