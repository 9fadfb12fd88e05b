package dev.headroom.internal.config;

import dev.headroom.HeadroomConfig;
import dev.headroom.HeadroomConfig.Builder;
import dev.headroom.HeadroomConfig.OptionDoc;
import dev.headroom.HeadroomConfig.Size;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The option table: one constant per key of {@link HeadroomConfig} with its name, meaning and
 * accepted forms, and in this file alone how its string form is set on a {@link Builder}
 * ({@link #apply}) and printed back ({@link #print}; the printed form parses to the same value).
 * The declaration order is the order of {@link HeadroomConfig#toString()} and of {@code help}.
 *
 * <p>Applying and printing are two switch expressions over the constants, not code per constant:
 * premain parses the options on the application's main thread, where a lambda per row cost ~40 ms
 * of bootstrap and a class per row (constant bodies) ~10 ms of class loading. The switches are
 * exhaustive, so a constant without its two cases does not compile.
 */
public enum Option {
    INTERVAL("interval", "Base period of the full budget sample. Shortened automatically (down to 50ms) as headroom shrinks or growth speeds up, and run at once whenever the watch sees a limit's threshold crossed.",
            Values.DURATION_FORMS),
    WATCH_INTERVAL("watchInterval", "Period of the cheap watch of every limit (the cgroup's usage counter, the heap after GC, direct memory, metaspace); ticks come sooner when a figure is about to cross a threshold. off leaves the limits to the budget's pace.",
            Values.DURATION_FORMS + ", or off"),
    WARN_AT("warnAt", "Level at which the pressure level becomes WARN: a percentage applies to every limit (the cgroup, the max heap, MaxDirectMemorySize, a capped metaspace), bytes to the cgroup's working set.",
            Size.FORMS),
    CRITICAL_AT("criticalAt", "Level at which the pressure level becomes CRITICAL; a percentage applies to every limit, bytes to the cgroup.",
            Size.FORMS),
    HEAP_DUMP_AT("heapDumpAt", "Level at which one heap dump is written per incident; a percentage applies to every limit, bytes to the cgroup (off unless set).",
            Size.FORMS),
    HEAP_DUMP_DIR("heapDumpDir", "Directory for heap dumps; off means the working directory (never a tmpfs unless heapDumpAllowTmpfs).",
            Values.OPTIONAL_PATH_FORMS),
    HEAP_DUMP_ALLOW_TMPFS("heapDumpAllowTmpfs", "Allow heap dumps on tmpfs, where the file itself counts against the memory limit.",
            Values.BOOLEAN_FORMS),
    HEAP_DUMP_ON_OUT_OF_MEMORY("heapDumpOnOutOfMemory", "With heapDumpAt set, also arm the JVM's own dump at its first OutOfMemoryError (into heapDumpDir, same checks), for leaks faster than a dump.",
            Values.BOOLEAN_FORMS),
    HEAP_DUMP_MIN_INTERVAL("heapDumpMinInterval", "Least time between two heap dumps.",
            Values.DURATION_FORMS),
    SOFT_LIMIT("softLimit", "GOMEMLIMIT-style soft limit: above it the governor makes the JVM give memory back (off unless set).",
            Size.FORMS),
    GC_CPU_CAP("gcCpuCap", "Most CPU the governor's reclaiming may cost, so a soft limit set too low degrades throughput instead of spiralling.",
            Values.PERCENT_FORMS),
    IDLE_RECLAIM("idleReclaim", "Give memory back while the soft limit does not press: a control law steers the heap to the smallest footprint whose reclaim and footprint CPU stays within reclaimCpuBudget (the name is kept from the idle heuristic it replaced).",
            Values.BOOLEAN_FORMS),
    IDLE_RECLAIM_AFTER("idleReclaimAfter", "How long the working set must have stopped climbing before the reclaim law forces a collection (2s: two samples, so a burst's first allocations are not taken for its end); at least: the collection also waits until the memory has gone unused long enough to pay for it.",
            Values.DURATION_FORMS),
    RECLAIM_CPU_BUDGET("reclaimCpuBudget", "Most of the process's CPU over the last minute that reclaiming and the steered footprint may cost (Headroom's collections, the GC work and page faults of memory that comes back, and the collector's extra work and page faults a tighter heap brings); at least a tenth of a core's share, so an idle JVM can still be reclaimed.",
            Values.PERCENT_FORMS),
    TRIM_NATIVE_HEAP("trimNativeHeap", "When reclaiming, also return freed malloc memory (System.trim_native_heap, JDK 17.0.9+).",
            Values.BOOLEAN_FORMS),
    EXIT_AT("exitAt", "Level at which the JVM exits in an orderly way (shutdown hooks run) before the kernel kills it or an OutOfMemoryError ends it; a percentage applies to every limit, bytes to the cgroup (off unless set).",
            Size.FORMS),
    EXIT_CODE("exitCode", "Exit status used by exitAt; 75 (EX_TEMPFAIL) cannot be mistaken for a kill (137) or a TERM (143).",
            "a whole number 1..255"),
    TERMINATION_MESSAGE("terminationMessage", "File that gets a short reason after an exitAt exit or a heap dump (at most 4096 bytes, overwritten), which Kubernetes shows as the container's termination message; the default, Kubernetes' terminationMessagePath, is written only where it exists as a writable regular file.",
            Values.OPTIONAL_PATH_FORMS),
    EVENT_LOG("eventLog", "Path of the JSON-lines event log (off unless set).",
            Values.OPTIONAL_PATH_FORMS),
    PROMETHEUS("prometheus", "host:port where the Prometheus endpoint listens (off unless set; ':9404' means every interface, '127.0.0.1:9404' this machine only). Plain HTTP, no authentication, unless the prometheusTls*/prometheusBasicAuth*/prometheusBearerTokenFile options say otherwise.",
            Values.HOST_PORT_FORMS),
    PROMETHEUS_TLS_KEY_STORE("prometheusTlsKeyStore", "Serve the Prometheus endpoint over HTTPS with the key and certificate in this PKCS12 or JKS key store (off: plain HTTP).",
            Values.OPTIONAL_PATH_FORMS),
    PROMETHEUS_TLS_KEY_STORE_PASSWORD_FILE("prometheusTlsKeyStorePasswordFile", "File holding the key store's password (its first line); off for a key store without one. Secrets are only ever read from files.",
            Values.OPTIONAL_PATH_FORMS),
    PROMETHEUS_BASIC_AUTH_USER("prometheusBasicAuthUser", "Require HTTP basic authentication by this user on the Prometheus endpoint (with prometheusBasicAuthPasswordHash).",
            Values.USER_FORMS),
    PROMETHEUS_BASIC_AUTH_PASSWORD_HASH("prometheusBasicAuthPasswordHash", "The basic-auth user's password as a salted PBKDF2 hash (see docs/prometheus-endpoint.md for how to make one).",
            PasswordHash.FORMS),
    PROMETHEUS_BEARER_TOKEN_FILE("prometheusBearerTokenFile", "Require 'Authorization: Bearer <token>' with the token in this file (its first line) on the Prometheus endpoint; with basic auth too, either is accepted.",
            Values.OPTIONAL_PATH_FORMS),
    JMX("jmx", "Register the read-only MXBean dev.headroom:type=Headroom, within one interval of the platform MBean server's creation (by a JMX agent or client, a framework, the application); Headroom does not create that server for it.",
            Values.BOOLEAN_FORMS),
    JMX_WRITABLE("jmxWritable", "Also offer MXBean operations that change behaviour (thresholds, sample now).",
            Values.BOOLEAN_FORMS),
    CHANNEL("channel", "Offer the latest budget on an owner-only Unix domain socket, /tmp/.headroom-<pid>.sock, opened when the CLI knocks and served by the sampler thread (no thread of its own), so that report --pid and report --watch --pid work without attaching (and from a JRE without jdk.attach). off creates no socket.",
            Values.BOOLEAN_FORMS),
    WHO("who", "Attribution of growth to the code behind it (the call sites holding direct buffers, threads, zlib streams and classes, and allocating heap): auto switches it on at WARN while 128 MiB or more is left to the limit (it costs about 32 MiB) and off when the level falls back, and costs nothing until then; on keeps it on from the start; off never (the writable MXBean can still switch it). Agent only.",
            "auto, on or off"),
    ATTACH_TO_TOOLS("attachToTools", "Also run inside JDK tools (jcmd, javac, jps, ...) that inherited JAVA_TOOL_OPTIONS.",
            Values.BOOLEAN_FORMS),
    ROOT("root", "File system root under which /proc and /sys are read (for tests and captured trees).",
            Values.PATH_FORMS),
    QUIET("quiet", "Suppress the [headroom] lines on stderr (the event log still gets every event).",
            Values.BOOLEAN_FORMS),
    LOG("log", "Where events go besides the event log: stderr as [headroom] lines; slf4j to the logger dev.headroom.events of the application's SLF4J, with key/values, once the application has initialised SLF4J (Headroom never initialises a logging framework; stderr until then); both. The Spring starter logs events itself and defaults to slf4j.",
            HeadroomConfig.Log.FORMS),
    CONFIG("config", "A properties file (key=value lines) with further options, e.g. a mounted Kubernetes ConfigMap; values may contain commas. Agent arguments, system properties and the environment override it (off unless set).",
            Values.OPTIONAL_PATH_FORMS);

    /**
     * Starts the message of every contradiction between the Prometheus endpoint's protection options;
     * the forgiving {@link OptionSources#load} then keeps the endpoint off rather than serve it less
     * protected than asked.
     */
    public static final String ENDPOINT_CONFLICT = "headroom Prometheus endpoint options contradict: ";

    private final String key;
    private final String meaning;
    private final String forms;

    Option(String key, String meaning, String forms) {
        this.key = key;
        this.meaning = meaning;
        this.forms = forms;
    }

    /**
     * Sets the option from its (trimmed) string form; throws {@link IllegalArgumentException} saying
     * what was expected when the parser or the builder's setter rejects it.
     */
    private Builder apply(Builder b, String v) {
        return switch (this) {
            case INTERVAL -> b.interval(Values.parseDuration(v));
            case WATCH_INTERVAL -> b.watchInterval(v.trim().equalsIgnoreCase("off") ? Duration.ZERO : Values.parseDuration(v));
            case WARN_AT -> b.warnAt(Size.parse(v));
            case CRITICAL_AT -> b.criticalAt(Size.parse(v));
            case HEAP_DUMP_AT -> b.heapDumpAt(Size.parse(v));
            case HEAP_DUMP_DIR -> b.heapDumpDir(Values.parseOptionalPath(v));
            case HEAP_DUMP_ALLOW_TMPFS -> b.heapDumpAllowTmpfs(Values.parseBoolean(v));
            case HEAP_DUMP_ON_OUT_OF_MEMORY -> b.heapDumpOnOutOfMemory(Values.parseBoolean(v));
            case HEAP_DUMP_MIN_INTERVAL -> b.heapDumpMinInterval(Values.parseDuration(v));
            case SOFT_LIMIT -> b.softLimit(Size.parse(v));
            case GC_CPU_CAP -> b.gcCpuCap(Values.parsePercent(v));
            case IDLE_RECLAIM -> b.idleReclaim(Values.parseBoolean(v));
            case IDLE_RECLAIM_AFTER -> b.idleReclaimAfter(Values.parseDuration(v));
            case RECLAIM_CPU_BUDGET -> b.reclaimCpuBudget(Values.parsePercent(v));
            case TRIM_NATIVE_HEAP -> b.trimNativeHeap(Values.parseBoolean(v));
            case EXIT_AT -> b.exitAt(Size.parse(v));
            case EXIT_CODE -> b.exitCode(Values.parseInt(v, forms));
            case TERMINATION_MESSAGE -> b.terminationMessage(Values.parseOptionalPath(v));
            case EVENT_LOG -> b.eventLog(Values.parseOptionalPath(v));
            case PROMETHEUS -> b.prometheus(Values.parseHostPort(v));
            case PROMETHEUS_TLS_KEY_STORE -> b.prometheusTlsKeyStore(Values.parseOptionalPath(v));
            case PROMETHEUS_TLS_KEY_STORE_PASSWORD_FILE -> b.prometheusTlsKeyStorePasswordFile(Values.parseOptionalPath(v));
            case PROMETHEUS_BASIC_AUTH_USER -> b.prometheusBasicAuthUser(Values.isOff(v) ? null : v);
            case PROMETHEUS_BASIC_AUTH_PASSWORD_HASH -> b.prometheusBasicAuthPasswordHash(Values.isOff(v) ? null : v);
            case PROMETHEUS_BEARER_TOKEN_FILE -> b.prometheusBearerTokenFile(Values.parseOptionalPath(v));
            case JMX -> b.jmx(Values.parseBoolean(v));
            case JMX_WRITABLE -> b.jmxWritable(Values.parseBoolean(v));
            case CHANNEL -> b.channel(Values.parseBoolean(v));
            case WHO -> b.who(v.trim().toLowerCase(Locale.ROOT));
            case ATTACH_TO_TOOLS -> b.attachToTools(Values.parseBoolean(v));
            case ROOT -> b.root(Values.parsePath(v));
            case QUIET -> b.quiet(Values.parseBoolean(v));
            case LOG -> b.log(HeadroomConfig.Log.parse(v));
            case CONFIG -> b.config(Values.parseOptionalPath(v));
        };
    }

    /** The option's value in {@code c}, in the string form that {@link #set} takes back. */
    public String print(HeadroomConfig c) {
        return switch (this) {
            case INTERVAL -> Values.formatDuration(c.interval());
            case WATCH_INTERVAL -> c.watchInterval().isZero() ? "off" : Values.formatDuration(c.watchInterval());
            case WARN_AT -> c.warnAt().toString();
            case CRITICAL_AT -> c.criticalAt().toString();
            case HEAP_DUMP_AT -> c.heapDumpAt().toString();
            case HEAP_DUMP_DIR -> Values.formatPath(c.heapDumpDir().orElse(null));
            case HEAP_DUMP_ALLOW_TMPFS -> Boolean.toString(c.heapDumpAllowTmpfs());
            case HEAP_DUMP_ON_OUT_OF_MEMORY -> Boolean.toString(c.heapDumpOnOutOfMemory());
            case HEAP_DUMP_MIN_INTERVAL -> Values.formatDuration(c.heapDumpMinInterval());
            case SOFT_LIMIT -> c.softLimit().toString();
            case GC_CPU_CAP -> Values.formatPercent(c.gcCpuCap());
            case IDLE_RECLAIM -> Boolean.toString(c.idleReclaim());
            case IDLE_RECLAIM_AFTER -> Values.formatDuration(c.idleReclaimAfter());
            case RECLAIM_CPU_BUDGET -> Values.formatPercent(c.reclaimCpuBudget());
            case TRIM_NATIVE_HEAP -> Boolean.toString(c.trimNativeHeap());
            case EXIT_AT -> c.exitAt().toString();
            case EXIT_CODE -> Integer.toString(c.exitCode());
            case TERMINATION_MESSAGE -> Values.formatPath(c.terminationMessage().orElse(null));
            case EVENT_LOG -> Values.formatPath(c.eventLog().orElse(null));
            case PROMETHEUS -> Values.formatHostPort(c.prometheus().orElse(null));
            case PROMETHEUS_TLS_KEY_STORE -> Values.formatPath(c.prometheusTlsKeyStore().orElse(null));
            case PROMETHEUS_TLS_KEY_STORE_PASSWORD_FILE -> Values.formatPath(c.prometheusTlsKeyStorePasswordFile().orElse(null));
            case PROMETHEUS_BASIC_AUTH_USER -> c.prometheusBasicAuthUser().orElse("off");
            case PROMETHEUS_BASIC_AUTH_PASSWORD_HASH -> c.prometheusBasicAuthPasswordHash().orElse("off");
            case PROMETHEUS_BEARER_TOKEN_FILE -> Values.formatPath(c.prometheusBearerTokenFile().orElse(null));
            case JMX -> Boolean.toString(c.jmx());
            case JMX_WRITABLE -> Boolean.toString(c.jmxWritable());
            case CHANNEL -> Boolean.toString(c.channel());
            case WHO -> c.who();
            case ATTACH_TO_TOOLS -> Boolean.toString(c.attachToTools());
            case ROOT -> c.root().toString();
            case QUIET -> Boolean.toString(c.quiet());
            case LOG -> c.log().toString();
            case CONFIG -> Values.formatPath(c.config().orElse(null));
        };
    }

    private static final Map<String, Option> BY_NORMALIZED_KEY = new HashMap<>();

    static {
        for (Option o : values()) {
            BY_NORMALIZED_KEY.put(Values.normalizeKey(o.key), o);
        }
    }

    /**
     * The option a key names in any spelling {@link Values#normalizeKey} accepts ({@code warnAt},
     * {@code warn-at}, {@code WARN_AT}); null for none.
     */
    public static Option find(String key) {
        // normalizeKey drops whitespace, a newline included: a key with a control character is no key.
        return key == null || Values.controlCharAt(key) >= 0 ? null : BY_NORMALIZED_KEY.get(Values.normalizeKey(key));
    }

    /** As {@link #find}, but an unknown key throws an {@link IllegalArgumentException} listing the known ones. */
    public static Option named(String key) {
        Option o = find(key);
        if (o == null) {
            throw new IllegalArgumentException("unknown headroom option '" + Values.printable(key) + "'" + knownKeysHint());
        }
        return o;
    }

    /** {@code "; known options: interval, warnAt, ..."}, to end a message about an unknown key. */
    public static String knownKeysHint() {
        StringBuilder sb = new StringBuilder(256);
        for (Option o : values()) {
            sb.append(sb.length() == 0 ? "; known options: " : ", ").append(o.key);
        }
        return sb.toString();
    }

    /** Every option's documentation, in table order. */
    public static List<OptionDoc> docs() {
        List<OptionDoc> docs = new ArrayList<>();
        for (Option o : values()) {
            docs.add(new OptionDoc(o.key, o.defaultValue(), o.meaning, o.forms));
        }
        return Collections.unmodifiableList(docs);
    }

    /**
     * Sets the option on {@code b} from its string form, as in agent arguments.
     *
     * @throws IllegalArgumentException naming the key, the value and the accepted forms
     */
    public void set(Builder b, String value) {
        Objects.requireNonNull(value, "value");
        // Inside the value only: trim() takes leading and trailing whitespace, a YAML block's final
        // newline included, as it always has.
        int control = Values.controlCharAt(value.trim());
        if (control >= 0) {
            throw new IllegalArgumentException("headroom option " + key + "=" + Values.printable(value) + " is invalid: it contains"
                    + " a control character (" + Values.printable(String.valueOf(value.trim().charAt(control))) + " at position " + control
                    + "); a value is one line of printable text");
        }
        try {
            apply(b, value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("headroom option " + key + "=" + Values.printable(value) + " is invalid: expected "
                    + forms + (e.getMessage() == null || e.getMessage().equals(forms) ? "" : " (" + e.getMessage() + ")"), e);
        }
    }

    /** Whether this option protects the Prometheus endpoint (TLS, authentication): its default is "no protection". */
    boolean protectsEndpoint() {
        return switch (this) {
            case PROMETHEUS_TLS_KEY_STORE, PROMETHEUS_TLS_KEY_STORE_PASSWORD_FILE, PROMETHEUS_BASIC_AUTH_USER,
                 PROMETHEUS_BASIC_AUTH_PASSWORD_HASH, PROMETHEUS_BEARER_TOKEN_FILE -> true;
            default -> false;
        };
    }

    /** The name as written in agent arguments, e.g. {@code warnAt}. */
    public String key() {
        return key;
    }

    /** The default in the string form. */
    public String defaultValue() {
        return print(HeadroomConfig.defaults());
    }
}
