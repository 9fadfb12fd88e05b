package dev.headroom;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Headroom#reconfigure} did with the options it was given: those applied to the running
 * instance (from its next sample on) and those it kept, each with the running value and the one asked
 * for.
 *
 * @param applied    options changed, {@link Change#running()} being the value before
 * @param notApplied options the running instance keeps, with why
 */
public record Reconfiguration(List<Change> applied, List<Change> notApplied) {
    public Reconfiguration {
        applied = List.copyOf(applied);
        notApplied = List.copyOf(notApplied);
    }

    /**
     * One option.
     *
     * @param key     the option's key ({@code warnAt})
     * @param running the running instance's value before, in the string form; null when unknown
     * @param wanted  the value asked for
     * @param reason  why it was not applied; empty for an applied one
     */
    public record Change(String key, String running, String wanted, String reason) {
        public Change {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(wanted, "wanted");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * One line naming every option not applied with both values, the application's and the running
     * one, and why; empty when everything was applied.
     */
    public Optional<String> warning() {
        if (notApplied.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder m = new StringBuilder(200).append("Headroom already runs in this JVM and keeps its own value of ")
                .append(notApplied.size() == 1 ? "this option" : "these options").append(" (the application's is NOT applied): ");
        String sep = "";
        for (Change c : notApplied) {
            m.append(sep).append(c.key()).append(": running ").append(c.running() == null ? "unknown" : c.running())
                    .append(", application ").append(c.wanted()).append(" (").append(c.reason()).append(')');
            sep = "; ";
        }
        return Optional.of(m.append(". Give them where Headroom starts (the agent's options) to have them.").toString());
    }
}
