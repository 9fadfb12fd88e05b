package dev.headroom.spring;

import dev.headroom.Headroom;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.net.URL;
import java.net.URLClassLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's copy of Headroom lives in another class loader than the application's (a Spring Boot fat
 * jar, or a relocated agent). The starter must find it and start no second sampler or governor.
 */
class AgentInAnotherClassLoaderTest {

    @Test
    void theStarterReadsFromTheAgentsCopyInsteadOfStartingASecondSampler() throws Exception {
        URL core = Headroom.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader agentLoader = new URLClassLoader("agent", new URL[] {core}, ClassLoader.getPlatformClassLoader())) {
            Class<?> configType = agentLoader.loadClass("dev.headroom.HeadroomConfig");
            Class<?> headroomType = agentLoader.loadClass("dev.headroom.Headroom");
            assertNotSame(Headroom.class, headroomType, "a second copy of the classes, as with the agent");
            Object config = configType.getMethod("parse", String.class).invoke(null, "quiet=true,interval=100ms");
            AutoCloseable agents = (AutoCloseable) headroomType.getMethod("start", configType).invoke(null, config);
            try {
                assertEquals(1, HeadroomAutoConfigurationTest.samplerThreads());
                new ApplicationContextRunner()
                        .withConfiguration(AutoConfigurations.of(HeadroomAutoConfiguration.class))
                        .withPropertyValues("headroom.quiet=true")
                        .run(ctx -> {
                            assertEquals(1, HeadroomAutoConfigurationTest.samplerThreads(),
                                    "the starter started no second sampler");
                            Headroom h = ctx.getBean(Headroom.class);
                            assertTrue(h.budget().workingSetBytes() > 0, "the starter still has a budget to publish");
                            assertTrue(ctx.getBean(HeadroomHealthIndicator.class).health().getDetails().containsKey("level"));
                        });
                assertEquals(1, HeadroomAutoConfigurationTest.samplerThreads(), "closing the context left the agent's sampler running");
                assertTrue(Headroom.current().isEmpty());
            } finally {
                agents.close();
            }
        }
    }
}
