package dev.headroom.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Frequency;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Percentage;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * The event types. Byte fields carry {@link DataAmount}, shares {@link Percentage} (a fraction,
 * 0.5 is 50 %), durations {@link Timespan}, so JMC and {@code jfr print} show units. A reading Headroom
 * does not have is -1 (bytes, seconds) or NaN (shares, rates), as the JDK's own container event does
 * for an absent limit. No stack traces: they would only show Headroom's sampler.
 *
 * <p>These classes are loaded only once the recorder is initialised ({@link JfrEvents}): initialising a
 * {@link Event} subclass registers it, which builds the recorder's metadata (about a hundred classes).
 */
final class JfrTypes {
    static final String CATEGORY = "Headroom";

    private JfrTypes() {
    }

    @Name("dev.headroom.BudgetSample")
    @Label("Headroom Budget Sample")
    @Description("One memory budget as Headroom sampled it: the working set against the limit, the heap, the level")
    @Category(CATEGORY)
    @StackTrace(false)
    static final class BudgetSample extends Event {
        @Label("Level")
        String level;
        @Label("Working Set")
        @DataAmount
        long workingSet;
        @Label("Limit")
        @Description("The effective limit; -1 when there is none")
        @DataAmount
        long limit;
        @Label("Headroom")
        @Description("Limit minus working set; -1 without a limit")
        @DataAmount
        long headroom;
        @Label("Used")
        @Description("Working set over the limit; NaN without a limit")
        @Percentage
        double used;
        @Label("Growth")
        @Description("Growth of the working set per second; NaN while Headroom has no trend")
        @DataAmount
        @Frequency
        double growth;
        @Label("Time to Limit")
        @Description("At the current growth; -1 when not growing or without a limit")
        @Timespan(Timespan.SECONDS)
        long timeToLimit;
        @Label("Binding Constraint")
        @Description("The limit nearest to being reached (cgroup, heap, metaspace, ...)")
        String binding;
        @Label("Binding Share")
        @Description("How much of the binding constraint is used; NaN when none")
        @Percentage
        double bindingShare;
        @Label("Heap Used")
        @DataAmount
        long heapUsed;
        @Label("Heap Committed")
        @DataAmount
        long heapCommitted;
        @Label("Heap Max")
        @Description("-1 when unknown")
        @DataAmount
        long heapMax;
        @Label("RSS")
        @Description("Resident set of the process; -1 when unreadable")
        @DataAmount
        long rss;
        @Label("NMT Committed")
        @Description("What Native Memory Tracking says the JVM committed; -1 when NMT is off")
        @DataAmount
        long nmtCommitted;
        @Label("GC Time Share")
        @Description("Share of time in GC recently; NaN when unknown")
        @Percentage
        double gcTimeShare;
    }

    @Name("dev.headroom.PressureLevelChange")
    @Label("Headroom Pressure Level Change")
    @Description("The pressure level moved (OK, WARN, CRITICAL)")
    @Category(CATEGORY)
    @StackTrace(false)
    static final class PressureLevelChange extends Event {
        @Label("Level")
        String level;
        @Label("Previous Level")
        String previous;
        @Label("Working Set")
        @DataAmount
        long workingSet;
        @Label("Limit")
        @DataAmount
        long limit;
        @Label("Headroom")
        @DataAmount
        long headroom;
        @Label("Warn At")
        @DataAmount
        long warnAt;
        @Label("Critical At")
        @DataAmount
        long criticalAt;
        @Label("Message")
        String message;
    }

    @Name("dev.headroom.HeapDump")
    @Label("Headroom Heap Dump")
    @Description("Headroom wrote a heap dump at heapDumpAt")
    @Category(CATEGORY)
    @StackTrace(false)
    static final class HeapDump extends Event {
        @Label("Path")
        String path;
        @Label("Size")
        @DataAmount
        long size;
        @Label("Write Time")
        @Timespan(Timespan.MILLISECONDS)
        long writeTime;
        @Label("Working Set")
        @DataAmount
        long workingSet;
        @Label("Heap Dump At")
        @DataAmount
        long heapDumpAt;
        @Label("Heap Used")
        @DataAmount
        long heapUsed;
        @Label("Constraint")
        String constraint;
        @Label("Message")
        String message;
    }

    @Name("dev.headroom.Exit")
    @Label("Headroom Exit")
    @Description("Headroom is ending the JVM at exitAt, before the OOM killer or an OutOfMemoryError")
    @Category(CATEGORY)
    @StackTrace(false)
    static final class Exit extends Event {
        @Label("Exit Code")
        int exitCode;
        @Label("Reason")
        String reason;
        @Label("Working Set")
        @DataAmount
        long workingSet;
        @Label("Limit")
        @DataAmount
        long limit;
        @Label("Exit At")
        @DataAmount
        long exitAt;
        @Label("Grace")
        @Description("How long shutdown hooks may run before the JVM is halted")
        @Timespan(Timespan.MILLISECONDS)
        long grace;
        @Label("Message")
        String message;
    }

    @Name("dev.headroom.Reclaim")
    @Label("Headroom Reclaim")
    @Description("A soft-limit or idle-reclaim action: a collection, a heap flag change, a native heap trim, a back-off")
    @Category(CATEGORY)
    @StackTrace(false)
    static final class Reclaim extends Event {
        @Label("Kind")
        @Description("soft_limit or idle_reclaim")
        String kind;
        @Label("Action")
        String action;
        @Label("Reason")
        String reason;
        @Label("Soft Limit")
        @DataAmount
        long softLimit;
        @Label("Working Set")
        @DataAmount
        long workingSet;
        @Label("Bytes Returned")
        @Description("What the action gave back; -1 when it returns nothing itself")
        @DataAmount
        long bytesReturned;
        @Label("GC CPU Share")
        @Percentage
        double gcCpuShare;
        @Label("Message")
        String message;
    }

    @Name("dev.headroom.Error")
    @Label("Headroom Error")
    @Description("Something Headroom tried failed; the application is not affected")
    @Category(CATEGORY)
    @StackTrace(false)
    static final class Error extends Event {
        @Label("Where")
        String where;
        @Label("Message")
        String message;
    }

    @Name("dev.headroom.Event")
    @Label("Headroom Event")
    @Description("Any other Headroom event (start, limit_reached, heap_dump_refused, ...) with its event-log fields")
    @Category(CATEGORY)
    @StackTrace(false)
    static final class Other extends Event {
        @Label("Event")
        String event;
        @Label("Message")
        String message;
        @Label("Fields")
        @Description("The event-log line's fields as JSON")
        String fields;
    }
}
