package dev.headroom.samples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small service with the Headroom starter: {@code /actuator/health} (with the headroom indicator
 * and the Kubernetes probes), {@code /actuator/headroom} (the full budget), {@code /actuator/prometheus}
 * (headroom.* beside Spring's jvm.*), and {@code /cache} to move memory for the dashboard to show.
 */
@SpringBootApplication
public class SampleApplication {
    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }
}
