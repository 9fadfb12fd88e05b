package dev.headroom;

/** How close the container's working set is to the point where the kernel kills. */
public enum PressureLevel {
    /** Below {@code warnAt}. */
    OK,
    /** At or above {@code warnAt}: someone should look. */
    WARN,
    /** At or above {@code criticalAt}: act now (dump, shed, exit). */
    CRITICAL
}
