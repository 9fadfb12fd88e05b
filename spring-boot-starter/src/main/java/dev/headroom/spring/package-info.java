/**
 * Spring Boot auto-configuration: {@link dev.headroom.spring.HeadroomAutoConfiguration} starts Headroom,
 * or reuses the instance already running in this JVM (the agent's), and, when the application has
 * them, adds the meters, a health indicator, the {@code headroom} actuator endpoint,
 * {@link dev.headroom.spring.HeadroomLevelChangedEvent}s (published on the {@code headroom-listeners}
 * thread) and, opt-in, readiness changes. Health and the endpoint read the latest budget on the request
 * thread. Built on the public API alone, which its {@code ApiBoundaryTest} holds it to.
 */
package dev.headroom.spring;
