package dev.headroom.internal.jmx;

/** {@link HeadroomMXBean} with operations that change behaviour; registered only when {@code jmxWritable=true}. */
public interface HeadroomWritableMXBean extends HeadroomMXBean {
    /** Samples now and returns the new budget as JSON. */
    String sampleNow();

    /**
     * Changes the pressure thresholds until the JVM exits (sizes as in the options: {@code 80%},
     * {@code 900m}, {@code off}).
     */
    void setThresholds(String warnAt, String criticalAt);

    /**
     * Switches the attribution of growth to call sites ({@code on}, {@code off}, or {@code auto}: from
     * WARN on) and returns the mode now in force. Only the agent can attribute; see docs/who.md.
     */
    String who(String mode);
}
