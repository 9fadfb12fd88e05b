package dev.headroom.agent.attach;

/**
 * Attaching to, or reading from, another JVM failed. The message is for a person: it names the pid,
 * what went wrong and what to do about it. Printed by the CLI as is.
 */
public final class AttachFailure extends Exception {
    private static final long serialVersionUID = 1L;

    public AttachFailure(String message) {
        super(message);
    }

    public AttachFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
