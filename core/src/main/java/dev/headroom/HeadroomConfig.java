package dev.headroom;

import dev.headroom.internal.config.Option;
import dev.headroom.internal.config.OptionSources;
import dev.headroom.internal.config.PasswordHash;
import dev.headroom.internal.config.SmallFiles;
import dev.headroom.internal.config.Values;
import dev.headroom.internal.kernfs.KernelFile;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Headroom's whole configuration: immutable, built by a fail-fast {@link Builder} and parsed 1:1
 * from its string form ({@code key=value,key=value}, the same as the agent arguments).
 * {@link #toString()} prints that form, and {@link #parse(String)} of it gives an equal config.
 *
 * <p>Options come from four sources, highest first: agent arguments, system properties
 * {@code headroom.<key>}, environment {@code HEADROOM_<KEY>} (camelCase to UPPER_SNAKE), and the
 * properties file that the {@code config} option names; see {@link #load(String, Map, Map)}. {@link #options()} lists every key with its default and meaning.
 */
public final class HeadroomConfig {

    private static final HeadroomConfig DEFAULTS = new HeadroomConfig(new Builder());

    private final Fields fields;

    private HeadroomConfig(Builder b) {
        this.fields = b.fields.copy();
    }

    /** A builder holding every default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The configuration with every default. */
    public static HeadroomConfig defaults() {
        return DEFAULTS;
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(fields.copy());
    }

    /**
     * Parses the string form strictly: {@code key=value} pairs separated by commas; blank input
     * gives the defaults. Keys match case-insensitively and ignore {@code -}, {@code _} and {@code .}.
     *
     * @throws IllegalArgumentException naming the key, the value and the accepted forms, on an
     *                                  unknown key, a repeated key, a malformed pair or a bad value
     */
    public static HeadroomConfig parse(String spec) {
        return OptionSources.parse(spec);
    }

    /**
     * Builds a configuration from a map of option names to values (Spring properties, tests),
     * strictly: every problem throws.
     *
     * @throws IllegalArgumentException as {@link #parse(String)}
     */
    public static HeadroomConfig fromMap(Map<String, String> options) {
        return OptionSources.fromMap(options);
    }

    /**
     * Loads the configuration the agent and library use, forgivingly: agent arguments override
     * system properties {@code headroom.<key>}, which override environment variables
     * {@code HEADROOM_<KEY>}. A bad value is reported in {@link Loaded#problems()} and its key keeps
     * its default, so the application still starts. Unknown keys in the agent arguments and in
     * {@code headroom.*} system properties are problems too; unknown {@code HEADROOM_*} variables
     * are ignored (the environment is shared with other tools).
     *
     * <p>The {@code config} option, from whichever of these sources wins, names a properties file
     * read last and lowest: its options apply where none of the three sets them. A file that is
     * missing, not a regular file, too large or malformed is one problem naming it; unknown or
     * repeated keys in it are problems too.
     *
     * @param agentArgs        the {@code -javaagent:...=} string; null or blank for none
     * @param systemProperties e.g. {@code System.getProperties()} as a map
     * @param environment      e.g. {@code System.getenv()}
     */
    public static Loaded load(String agentArgs, Map<String, String> systemProperties, Map<String, String> environment) {
        return OptionSources.load(agentArgs, systemProperties, environment, new KernelFiles());
    }

    /**
     * The {@code config=} file is read with kernfs's bounded reader, which refuses FIFOs and devices.
     * A class rather than a lambda: premain loads the options on the application's main thread,
     * where bootstrapping a lambda costs tens of milliseconds.
     */
    private static final class KernelFiles implements SmallFiles {
        @Override
        public byte[] read(Path file, String name, int maxBytes) throws IOException {
            return KernelFile.readSmall(file, name, maxBytes);
        }
    }

    /** Every option: key, default and meaning, in the order {@code help} prints them. */
    public static List<OptionDoc> options() {
        return Option.docs();
    }

    /** Base sampling period; the sampler shortens it as headroom shrinks or growth speeds up. */
    public Duration interval() {
        return fields.interval;
    }

    /**
     * Period of the cheap watch of every limit; {@link Duration#ZERO} when off. Ticks come sooner when
     * a figure is about to cross a threshold, and a crossing runs the full budget at once.
     */
    public Duration watchInterval() {
        return fields.watchInterval;
    }

    /**
     * Level that raises {@link PressureLevel#WARN}: a percentage of every limit the JVM can die at
     * (the cgroup, the max heap, direct memory, a capped metaspace), or bytes of the cgroup's working
     * set; {@link Size#isOff() off} to never warn.
     */
    public Size warnAt() {
        return fields.warnAt;
    }

    /** Level that raises {@link PressureLevel#CRITICAL}, judged as {@link #warnAt()}; off to never go critical. */
    public Size criticalAt() {
        return fields.criticalAt;
    }

    /** Level at which one heap dump is taken per incident, judged as {@link #warnAt()}; off by default. */
    public Size heapDumpAt() {
        return fields.heapDumpAt;
    }

    /** Where heap dumps go; empty means the working directory. */
    public Optional<Path> heapDumpDir() {
        return Optional.ofNullable(fields.heapDumpDir);
    }

    /** Whether a heap dump may be written to tmpfs (it then counts against the same memory limit). */
    public boolean heapDumpAllowTmpfs() {
        return fields.heapDumpAllowTmpfs;
    }

    /**
     * Whether, with {@link #heapDumpAt()} set, the JVM's own dump at its first {@code OutOfMemoryError}
     * is armed too: a leak faster than a dump (hundreds of MiB/s in a small heap) still leaves one.
     */
    public boolean heapDumpOnOutOfMemory() {
        return fields.heapDumpOnOutOfMemory;
    }

    /** Least time between two heap dumps. */
    public Duration heapDumpMinInterval() {
        return fields.heapDumpMinInterval;
    }

    /** The GOMEMLIMIT-style soft limit; off by default. */
    public Size softLimit() {
        return fields.softLimit;
    }

    /** Most of the CPU, in percent of one sampling window, that reclaiming GC may use (1..100). */
    public double gcCpuCap() {
        return fields.gcCpuCap;
    }

    /**
     * Whether memory is given back while the soft limit does not press: by the reclaim control law,
     * within {@link #reclaimCpuBudget()} (the key keeps its name from the idle heuristic it replaced).
     */
    public boolean idleReclaim() {
        return fields.idleReclaim;
    }

    /** Most CPU, in percent of the process's CPU over the last minute, that reclaiming may cost (above 0, at most 100). */
    public double reclaimCpuBudget() {
        return fields.reclaimCpuBudget;
    }

    /** How long the working set must have stopped climbing before the reclaim law forces a collection. */
    public Duration idleReclaimAfter() {
        return fields.idleReclaimAfter;
    }

    /** Whether reclaiming also returns freed malloc memory ({@code System.trim_native_heap}). */
    public boolean trimNativeHeap() {
        return fields.trimNativeHeap;
    }

    /** Level at which the JVM exits in an orderly way, judged as {@link #warnAt()}; off by default. */
    public Size exitAt() {
        return fields.exitAt;
    }

    /** Exit status used when {@link #exitAt()} fires. */
    public int exitCode() {
        return fields.exitCode;
    }

    /**
     * The file that gets a short reason after an {@code exitAt} exit or a heap dump, as Kubernetes'
     * {@code terminationMessagePath} ({@code /dev/termination-log}, the default, written only where it
     * exists); empty when off.
     */
    public Optional<Path> terminationMessage() {
        return Optional.ofNullable(fields.terminationMessage);
    }

    /** Path of the JSON-lines event log; empty when off. */
    public Optional<Path> eventLog() {
        return Optional.ofNullable(fields.eventLog);
    }

    /** Where the Prometheus endpoint listens (unresolved address); empty when off. */
    public Optional<InetSocketAddress> prometheus() {
        return Optional.ofNullable(fields.prometheus);
    }

    /** The PKCS12 or JKS key store the Prometheus endpoint serves HTTPS with; empty for plain HTTP. */
    public Optional<Path> prometheusTlsKeyStore() {
        return Optional.ofNullable(fields.prometheusTlsKeyStore);
    }

    /** The file whose first line is the key store's password; empty for none. */
    public Optional<Path> prometheusTlsKeyStorePasswordFile() {
        return Optional.ofNullable(fields.prometheusTlsKeyStorePasswordFile);
    }

    /** The user basic authentication on the Prometheus endpoint requires; empty for none. */
    public Optional<String> prometheusBasicAuthUser() {
        return Optional.ofNullable(fields.prometheusBasicAuthUser);
    }

    /** That user's password as {@code pbkdf2-sha256:ITERATIONS:SALT:HASH}; empty for none. */
    public Optional<String> prometheusBasicAuthPasswordHash() {
        return Optional.ofNullable(fields.prometheusBasicAuthPasswordHash);
    }

    /** The file whose first line is the bearer token the Prometheus endpoint requires; empty for none. */
    public Optional<Path> prometheusBearerTokenFile() {
        return Optional.ofNullable(fields.prometheusBearerTokenFile);
    }

    /** Whether the read-only MXBean {@code dev.headroom:type=Headroom} is registered. */
    public boolean jmx() {
        return fields.jmx;
    }

    /** Whether the MXBean also offers operations that change behaviour (thresholds, sample now). */
    public boolean jmxWritable() {
        return fields.jmxWritable;
    }

    /**
     * Whether Headroom offers its owner-only local channel ({@code /tmp/.headroom-<pid>.sock}) from which
     * {@code report --pid} and {@code report --watch --pid} read the latest budget without attaching.
     */
    public boolean channel() {
        return fields.channel;
    }

    /**
     * When the agent names the code behind growth: {@code auto} (from WARN until the level falls
     * back), {@code on} (always) or {@code off}. See docs/who.md.
     */
    public String who() {
        return fields.who;
    }

    /** Whether the agent also runs inside JDK tools (jcmd, javac, ...) that inherited JAVA_TOOL_OPTIONS. */
    public boolean attachToTools() {
        return fields.attachToTools;
    }

    /** Filesystem root under which {@code /proc} and {@code /sys} are read (tests, captured trees). */
    public Path root() {
        return fields.root;
    }

    /** Whether the {@code [headroom]} lines on stderr are suppressed (the event log is not). */
    public boolean quiet() {
        return fields.quiet;
    }

    /** Where events go besides the event log: {@code [headroom]} stderr lines, the application's SLF4J, or both. */
    public Log log() {
        return fields.log;
    }

    /**
     * The options file {@link #load(String, Map, Map)} read further options from; empty when none.
     * {@link #parse(String)} and {@link #fromMap(Map)} only record the path: they read no file.
     */
    public Optional<Path> config() {
        return Optional.ofNullable(fields.config);
    }

    /** The string form, every key in {@link #options()} order; {@link #parse(String)} gives it back. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(512);
        for (Option o : Option.values()) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(o.key()).append('=').append(o.print(this));
        }
        return sb.toString();
    }

    /** Only the keys that differ from the defaults, in the string form (shorter, for log lines). */
    public String toSpecDifferingFromDefaults() {
        StringBuilder sb = new StringBuilder(128);
        for (Option o : Option.values()) {
            String value = o.print(this);
            if (!value.equals(o.print(DEFAULTS))) {
                if (sb.length() > 0) {
                    sb.append(',');
                }
                sb.append(o.key()).append('=').append(value);
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HeadroomConfig && toString().equals(o.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /**
     * A size option: a byte count ({@code 268435456}, {@code 512m}, {@code 2g}), a percentage of
     * the effective container limit ({@code 85%}), or {@code off}.
     */
    public static final class Size {
        private static final Size OFF = new Size(false, 0, Double.NaN);
        public static final String FORMS = "bytes (e.g. 268435456), a size with k/m/g (binary, e.g. 512m, 2g), "
                + "a percentage of the container limit (e.g. 85%), or off";

        private final boolean percent;
        private final long bytes;
        private final double percentage;

        private Size(boolean percent, long bytes, double percentage) {
            this.percent = percent;
            this.bytes = bytes;
            this.percentage = percentage;
        }

        public static Size off() {
            return OFF;
        }

        /** A fixed size; must be positive. */
        public static Size ofBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("size must be positive: " + bytes);
            }
            return new Size(false, bytes, Double.NaN);
        }

        /** A share of the effective limit, above 0 and at most 100. */
        public static Size ofPercent(double percent) {
            if (!(percent > 0 && percent <= 100)) {
                throw new IllegalArgumentException("percentage must be above 0 and at most 100: " + percent);
            }
            return new Size(true, 0, percent);
        }

        /** Parses one of {@link #FORMS}. */
        public static Size parse(String text) {
            String s = text.trim().toLowerCase(Locale.ROOT);
            if (s.equals("off") || s.equals("none")) {
                return OFF;
            }
            if (s.endsWith("%")) {
                try {
                    return ofPercent(Values.parsePercent(s));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(FORMS);
                }
            }
            return ofBytes(Values.parseBytes(s, FORMS));
        }

        public boolean isOff() {
            return !percent && bytes == 0;
        }

        public boolean isPercent() {
            return percent;
        }

        /** The fixed byte count; empty when off or a percentage. */
        public OptionalLong bytes() {
            return !percent && bytes > 0 ? OptionalLong.of(bytes) : OptionalLong.empty();
        }

        /** The percentage; empty when off or a byte count. */
        public OptionalDouble percent() {
            return percent ? OptionalDouble.of(percentage) : OptionalDouble.empty();
        }

        /**
         * The byte threshold this setting means for a given effective limit: a byte count as is, a
         * percentage of the limit (rounded down), empty when off or when a percentage meets no limit.
         */
        public OptionalLong resolve(OptionalLong limitBytes) {
            if (percent) {
                return limitBytes.isPresent()
                        ? OptionalLong.of((long) Math.floor(limitBytes.getAsLong() * (percentage / 100.0)))
                        : OptionalLong.empty();
            }
            return bytes();
        }

        /** The string form: {@code off}, {@code 85%}, or bytes in the largest exact unit ({@code 512m}). */
        @Override
        public String toString() {
            if (percent) {
                return Values.formatPercent(percentage);
            } else if (bytes == 0) {
                return "off";
            }
            return Values.formatBytes(bytes);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Size other && other.percent == percent && other.bytes == bytes
                    && (!percent || Double.compare(other.percentage, percentage) == 0);
        }

        @Override
        public int hashCode() {
            return Objects.hash(percent, bytes, percent ? percentage : 0.0);
        }
    }

    /**
     * Where events go besides the event log ({@code log=}): {@code stderr} as {@code [headroom]} lines;
     * {@code slf4j} to the logger {@code dev.headroom.events} of the application's SLF4J once the
     * application has initialised it (stderr until then, so nothing is lost); {@code both}.
     */
    public enum Log {
        STDERR, SLF4J, BOTH;

        public static final String FORMS = "stderr, slf4j or both";

        /**
         * The system property a logging integration (the Spring starter) sets, to {@code slf4j} or
         * {@code both}, while it logs every event to SLF4J itself: every copy of Headroom in the JVM,
         * whatever its class loader, then prints {@code [headroom]} event lines only for {@code both}
         * and logs nothing to SLF4J a second time. Cleared when the integration stops.
         */
        public static final String APPLICATION_LOGS_PROPERTY = "dev.headroom.log.application";

        /** Parses {@code stderr}, {@code slf4j} or {@code both}, in any case. */
        public static Log parse(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "stderr" -> STDERR;
                case "slf4j" -> SLF4J;
                case "both" -> BOTH;
                default -> throw new IllegalArgumentException(FORMS);
            };
        }

        /** Whether events are logged through SLF4J. */
        public boolean slf4j() {
            return this != STDERR;
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The result of {@link #load(String, Map, Map)}: the configuration to run with and every
     * problem found, each one line naming the key, the value and the accepted forms.
     */
    public record Loaded(HeadroomConfig config, List<String> problems) {
        public Loaded {
            Objects.requireNonNull(config, "config");
            problems = List.copyOf(problems);
        }
    }

    /**
     * One option for {@code help} and documentation.
     *
     * @param key          the option's name as written in agent arguments
     * @param defaultValue its default, in the string form
     * @param meaning      what it does
     * @param forms        the accepted values
     */
    public record OptionDoc(String key, String defaultValue, String meaning, String forms) {
        /** {@code headroom.<key>}. */
        public String systemProperty() {
            return OptionSources.systemProperty(key);
        }

        /** {@code HEADROOM_<KEY>}. */
        public String environmentVariable() {
            return OptionSources.environmentVariable(key);
        }
    }

    /**
     * Every option's value with its default, each declared once: a {@link Builder} edits its own
     * copy and a {@link HeadroomConfig} keeps a frozen one. Every value is immutable, so a shallow
     * copy is a full one.
     *
     * <p>Adding an option: its field here, its accessor above, its setter in {@link Builder}, and its
     * constant with its apply and print cases in {@link Option} (the Spring starter's
     * {@code HeadroomProperties} needs a property of the same name).
     */
    private static final class Fields implements Cloneable {
        Duration interval = Duration.ofSeconds(1);
        Duration watchInterval = Duration.ofMillis(50);
        Size warnAt = Size.ofPercent(85);
        Size criticalAt = Size.ofPercent(95);
        Size heapDumpAt = Size.off();
        Path heapDumpDir;
        boolean heapDumpAllowTmpfs;
        boolean heapDumpOnOutOfMemory = true;
        Duration heapDumpMinInterval = Duration.ofHours(1);
        Size softLimit = Size.off();
        double gcCpuCap = 50;
        // On by default: an idle JVM otherwise keeps its peak heap for minutes (see docs/softlimit.md).
        boolean idleReclaim = true;
        // Azul Prime keeps GC CPU under 5% of the machine; measured in docs/softlimit.md.
        double reclaimCpuBudget = 5;
        Duration idleReclaimAfter = Duration.ofSeconds(2);
        boolean trimNativeHeap = true;
        Size exitAt = Size.off();
        int exitCode = 75;
        // Kubernetes' default terminationMessagePath; where it does not exist nothing is written.
        Path terminationMessage = Path.of("/dev/termination-log");
        Path eventLog;
        InetSocketAddress prometheus;
        Path prometheusTlsKeyStore;
        Path prometheusTlsKeyStorePasswordFile;
        String prometheusBasicAuthUser;
        String prometheusBasicAuthPasswordHash;
        Path prometheusBearerTokenFile;
        boolean jmx = true;
        boolean jmxWritable;
        boolean channel = true;
        boolean attachToTools;
        String who = "auto";
        Path root = Path.of("/");
        boolean quiet;
        Log log = Log.STDERR;
        Path config;

        Fields copy() {
            try {
                return (Fields) clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Fail-fast builder: every setter checks its value, {@link #build()} checks them together. */
    public static final class Builder {
        private final Fields fields;

        private Builder() {
            this(new Fields());
        }

        private Builder(Fields fields) {
            this.fields = fields;
        }

        /**
         * Sets an option from its string form, as in agent arguments.
         *
         * @throws IllegalArgumentException naming the key, the value and the accepted forms
         */
        public Builder set(String key, String value) {
            Option.named(key).set(this, value);
            return this;
        }

        /** At least 10 ms, at most 1 hour. */
        public Builder interval(Duration interval) {
            fields.interval = checkDuration("interval", interval, Duration.ofMillis(10), Duration.ofHours(1));
            return this;
        }

        /** At least 5 ms, at most 10 s; {@link Duration#ZERO} turns the watch off. */
        public Builder watchInterval(Duration watchInterval) {
            Objects.requireNonNull(watchInterval, "watchInterval");
            fields.watchInterval = watchInterval.isZero() ? Duration.ZERO
                    : checkDuration("watchInterval", watchInterval, Duration.ofMillis(5), Duration.ofSeconds(10));
            return this;
        }

        public Builder warnAt(Size warnAt) {
            fields.warnAt = Objects.requireNonNull(warnAt, "warnAt");
            return this;
        }

        public Builder criticalAt(Size criticalAt) {
            fields.criticalAt = Objects.requireNonNull(criticalAt, "criticalAt");
            return this;
        }

        public Builder heapDumpAt(Size heapDumpAt) {
            fields.heapDumpAt = Objects.requireNonNull(heapDumpAt, "heapDumpAt");
            return this;
        }

        /** Null for the working directory. */
        public Builder heapDumpDir(Path heapDumpDir) {
            fields.heapDumpDir = heapDumpDir;
            return this;
        }

        public Builder heapDumpAllowTmpfs(boolean allow) {
            fields.heapDumpAllowTmpfs = allow;
            return this;
        }

        public Builder heapDumpOnOutOfMemory(boolean arm) {
            fields.heapDumpOnOutOfMemory = arm;
            return this;
        }

        /** Zero or more. */
        public Builder heapDumpMinInterval(Duration minInterval) {
            fields.heapDumpMinInterval = checkDuration("heapDumpMinInterval", minInterval, Duration.ZERO, Duration.ofDays(365));
            return this;
        }

        public Builder softLimit(Size softLimit) {
            fields.softLimit = Objects.requireNonNull(softLimit, "softLimit");
            return this;
        }

        /** Above 0 and at most 100. */
        public Builder gcCpuCap(double percent) {
            if (!(percent > 0 && percent <= 100)) {
                throw new IllegalArgumentException("gcCpuCap must be above 0 and at most 100: " + percent);
            }
            fields.gcCpuCap = percent;
            return this;
        }

        /** Above 0 and at most 100. */
        public Builder reclaimCpuBudget(double percent) {
            if (!(percent > 0 && percent <= 100)) {
                throw new IllegalArgumentException("reclaimCpuBudget must be above 0 and at most 100: " + percent);
            }
            fields.reclaimCpuBudget = percent;
            return this;
        }

        public Builder idleReclaim(boolean idleReclaim) {
            fields.idleReclaim = idleReclaim;
            return this;
        }

        /** At least 1 second. */
        public Builder idleReclaimAfter(Duration after) {
            fields.idleReclaimAfter = checkDuration("idleReclaimAfter", after, Duration.ofSeconds(1), Duration.ofDays(365));
            return this;
        }

        public Builder trimNativeHeap(boolean trim) {
            fields.trimNativeHeap = trim;
            return this;
        }

        public Builder exitAt(Size exitAt) {
            fields.exitAt = Objects.requireNonNull(exitAt, "exitAt");
            return this;
        }

        /** 1..255. */
        public Builder exitCode(int exitCode) {
            if (exitCode < 1 || exitCode > 255) {
                throw new IllegalArgumentException("exitCode must be 1..255: " + exitCode);
            }
            fields.exitCode = exitCode;
            return this;
        }

        /** Null for off. */
        public Builder terminationMessage(Path file) {
            fields.terminationMessage = file;
            return this;
        }

        /** Null for off. */
        public Builder eventLog(Path eventLog) {
            fields.eventLog = eventLog;
            return this;
        }

        /** Null for off. */
        public Builder prometheus(InetSocketAddress address) {
            fields.prometheus = address == null ? null
                    : InetSocketAddress.createUnresolved(address.getHostString(), address.getPort());
            return this;
        }

        /** Null for plain HTTP. */
        public Builder prometheusTlsKeyStore(Path keyStore) {
            fields.prometheusTlsKeyStore = keyStore;
            return this;
        }

        /** Null for a key store without a password. */
        public Builder prometheusTlsKeyStorePasswordFile(Path passwordFile) {
            fields.prometheusTlsKeyStorePasswordFile = passwordFile;
            return this;
        }

        /** Null for no basic authentication; no {@code :}, {@code ,} or control character. */
        public Builder prometheusBasicAuthUser(String user) {
            fields.prometheusBasicAuthUser = user == null ? null : Values.checkUser(user);
            return this;
        }

        /** Null for none; {@code pbkdf2-sha256:ITERATIONS:SALT:HASH} (or {@code pbkdf2-sha512}), salt and hash in hex. */
        public Builder prometheusBasicAuthPasswordHash(String hash) {
            fields.prometheusBasicAuthPasswordHash = hash == null ? null : PasswordHash.parse(hash).toString();
            return this;
        }

        /** Null for no bearer token. */
        public Builder prometheusBearerTokenFile(Path tokenFile) {
            fields.prometheusBearerTokenFile = tokenFile;
            return this;
        }

        public Builder jmx(boolean jmx) {
            fields.jmx = jmx;
            return this;
        }

        public Builder jmxWritable(boolean writable) {
            fields.jmxWritable = writable;
            return this;
        }

        public Builder channel(boolean channel) {
            fields.channel = channel;
            return this;
        }

        /** {@code auto}, {@code on} or {@code off}; see {@link HeadroomConfig#who()}. */
        public Builder who(String mode) {
            if (!List.of("auto", "on", "off").contains(mode)) {
                throw new IllegalArgumentException("who must be auto, on or off, not '" + mode + "'");
            }
            fields.who = mode;
            return this;
        }

        public Builder attachToTools(boolean attach) {
            fields.attachToTools = attach;
            return this;
        }

        public Builder root(Path root) {
            fields.root = Objects.requireNonNull(root, "root");
            return this;
        }

        public Builder quiet(boolean quiet) {
            fields.quiet = quiet;
            return this;
        }

        public Builder log(Log log) {
            fields.log = Objects.requireNonNull(log, "log");
            return this;
        }

        /** Null for none. Only recorded here; {@link HeadroomConfig#load(String, Map, Map)} reads the file. */
        public Builder config(Path config) {
            fields.config = config;
            return this;
        }

        /**
         * @throws IllegalArgumentException when options contradict each other (warnAt not below
         *                                  criticalAt when both are bytes or both percentages; a basic-auth
         *                                  user without a password hash or the reverse; a key store
         *                                  password file without a key store)
         */
        public HeadroomConfig build() {
            String conflict = conflict();
            if (conflict != null) {
                throw new IllegalArgumentException(conflict);
            }
            return new HeadroomConfig(this);
        }

        private String conflict() {
            if ((fields.prometheusBasicAuthUser == null) != (fields.prometheusBasicAuthPasswordHash == null)) {
                return Option.ENDPOINT_CONFLICT + "prometheusBasicAuthUser and prometheusBasicAuthPasswordHash go together";
            }
            if (fields.prometheusTlsKeyStorePasswordFile != null && fields.prometheusTlsKeyStore == null) {
                return Option.ENDPOINT_CONFLICT + "prometheusTlsKeyStorePasswordFile is set without prometheusTlsKeyStore";
            }
            Size warnAt = fields.warnAt;
            Size criticalAt = fields.criticalAt;
            if (!warnAt.isOff() && !criticalAt.isOff() && warnAt.isPercent() == criticalAt.isPercent()) {
                double w = warnAt.isPercent() ? warnAt.percentage : warnAt.bytes;
                double c = criticalAt.isPercent() ? criticalAt.percentage : criticalAt.bytes;
                if (w >= c) {
                    return "headroom options warnAt=" + warnAt + " and criticalAt=" + criticalAt
                            + " contradict: warnAt must be below criticalAt";
                }
            }
            return null;
        }

        private static Duration checkDuration(String key, Duration d, Duration min, Duration max) {
            Objects.requireNonNull(d, key);
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException(key + " must be between " + Values.formatDuration(min) + " and "
                        + Values.formatDuration(max) + ": " + Values.formatDuration(d));
            }
            return d;
        }
    }
}
