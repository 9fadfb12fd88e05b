package dev.headroom.spring;

import dev.headroom.HeadroomConfig;
import org.springframework.beans.BeanWrapper;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.boot.context.properties.ConfigurationProperties;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code headroom.*} properties: the same keys as the agent ({@code -javaagent:headroom-agent.jar=warnAt=80%})
 * and the {@code headroom.<key>} system properties, in Spring's relaxed forms ({@code headroom.warn-at},
 * {@code HEADROOM_WARN_AT}), handed to {@code HeadroomConfig} as text so every form the agent accepts
 * works here too. A key left unset keeps Headroom's default; a bad value is reported once at startup,
 * naming the key and the accepted forms, and keeps the default (the application still starts).
 * The starter's own switches live under {@code headroom.health}, {@code headroom.readiness} and
 * {@code headroom.metrics}.
 */
@ConfigurationProperties(prefix = "headroom")
public class HeadroomProperties {

    /** Whether to start Headroom and its Spring integration at all. */
    private boolean enabled = true;

    /** Base sampling period (e.g. 500ms, 1s); shortened automatically as headroom shrinks. */
    private String interval;

    /** Period of the cheap watch of every limit (e.g. 50ms), or off. */
    private String watchInterval;

    /** Working set at which the pressure level becomes WARN: bytes, 512m, 2g, a % of the limit, or off. */
    private String warnAt;

    /** Working set at which the pressure level becomes CRITICAL: bytes, 512m, 2g, a % of the limit, or off. */
    private String criticalAt;

    /** Working set at which one heap dump is written per incident; off unless set. */
    private String heapDumpAt;

    /** Directory for heap dumps; off means the working directory. */
    private String heapDumpDir;

    /** Allow heap dumps on tmpfs, where the file itself counts against the memory limit. */
    private Boolean heapDumpAllowTmpfs;
    /** With heap-dump-at set, also arm the JVM's own dump at its first OutOfMemoryError (same directory and checks). */
    private Boolean heapDumpOnOutOfMemory;

    /** Least time between two heap dumps. */
    private String heapDumpMinInterval;

    /** GOMEMLIMIT-style soft limit: above it the governor makes the JVM give memory back; off unless set. */
    private String softLimit;

    /** Most CPU the governor's reclaiming may cost (a percentage, e.g. 50%). */
    private String gcCpuCap;

    /** Give memory back after the application has been idle for idle-reclaim-after. */
    private Boolean idleReclaim;

    /** How long the working set must have stopped climbing before a reclaim is considered. */
    private String idleReclaimAfter;

    /** Most of the process's CPU (over the last minute) reclaiming may cost, e.g. 5%. */
    private String reclaimCpuBudget;

    /** When reclaiming, also return freed malloc memory (System.trim_native_heap, JDK 17.0.9+). */
    private Boolean trimNativeHeap;

    /** Working set at which the JVM exits in an orderly way before the kernel kills it; off unless set. */
    private String exitAt;

    /** Exit status used by exit-at. */
    private Integer exitCode;

    /**
     * File that gets a short reason after an exit-at exit or a heap dump, shown by Kubernetes as the
     * container's termination message; the default is written only where it exists.
     */
    private String terminationMessage;

    /** Path of the JSON-lines event log; off unless set. */
    private String eventLog;

    /** host:port of Headroom's own Prometheus endpoint; off unless set (the actuator's /prometheus needs none). */
    private String prometheus;

    /** PKCS12 or JKS key store to serve Headroom's Prometheus endpoint over HTTPS; off for plain HTTP. */
    private String prometheusTlsKeyStore;

    /** File whose first line is the key store's password; off for none. */
    private String prometheusTlsKeyStorePasswordFile;

    /** User that HTTP basic authentication on Headroom's Prometheus endpoint requires; off for none. */
    private String prometheusBasicAuthUser;

    /** That user's password as pbkdf2-sha256:ITERATIONS:SALT:HASH (hex); off for none. */
    private String prometheusBasicAuthPasswordHash;

    /** File whose first line is the bearer token Headroom's Prometheus endpoint requires; off for none. */
    private String prometheusBearerTokenFile;

    /** Register the read-only MXBean dev.headroom:type=Headroom once the platform MBean server exists (Headroom does not create it for the MXBean). */
    private Boolean jmx;

    /** Also offer MXBean operations that change behaviour. */
    private Boolean jmxWritable;

    /** Offer the latest budget on the owner-only socket /tmp/.headroom-<pid>.sock for report --pid without attaching. */
    private Boolean channel;

    /** When the agent names the code behind growing direct buffers and threads: auto (from WARN), on or off. */
    private String who;

    /** Also run inside JDK tools that inherited JAVA_TOOL_OPTIONS. */
    private Boolean attachToTools;

    /** File system root under which /proc and /sys are read (for tests and captured trees). */
    private String root;

    /** Suppress the [headroom] lines on stderr (the event log still gets every event). */
    private Boolean quiet;

    /**
     * Where Headroom's events go besides the event log: slf4j logs each one to the logger
     * dev.headroom.events with key/values and stops the [headroom] event lines on stderr (also the
     * agent's); both keeps those lines too; stderr leaves the application's logs out.
     */
    private String log;

    /**
     * A properties file (key=value lines, the agent's keys) with further options, e.g. a mounted
     * Kubernetes ConfigMap; the headroom.* properties set here override it.
     */
    private String config;

    private final Health health = new Health();

    private final Readiness readiness = new Readiness();

    private final Metrics metrics = new Metrics();

    /**
     * The Headroom options that were set, keyed the way {@code HeadroomConfig} names them, in the
     * order of its option table. Unset keys are absent (Headroom's default applies). Each option is
     * read through the property of the same name, so an option needs only its field, getter and
     * setter here.
     */
    public Map<String, String> toOptions() {
        BeanWrapper properties = new BeanWrapperImpl(this);
        Map<String, String> options = new LinkedHashMap<>();
        for (HeadroomConfig.OptionDoc o : HeadroomConfig.options()) {
            Object value = properties.isReadableProperty(o.key()) ? properties.getPropertyValue(o.key()) : null;
            if (value != null) {
                options.put(o.key(), value.toString());
            }
        }
        return options;
    }

    /** {@code headroom.health.*}: the health indicator. */
    public static class Health {
        /**
         * Health status reported while the pressure level is CRITICAL. OUT_OF_SERVICE by default: the
         * application still works but should be given no more load; DOWN would call it broken.
         */
        private String criticalStatus = "OUT_OF_SERVICE";

        /** Health status reported while the pressure level is WARN. */
        private String warnStatus = "UP";

        public String getCriticalStatus() {
            return criticalStatus;
        }

        public void setCriticalStatus(String criticalStatus) {
            this.criticalStatus = criticalStatus;
        }

        public String getWarnStatus() {
            return warnStatus;
        }

        public void setWarnStatus(String warnStatus) {
            this.warnStatus = warnStatus;
        }
    }

    /** {@code headroom.readiness.*}: readiness changes. */
    public static class Readiness {
        /**
         * Publish readiness REFUSING_TRAFFIC while the pressure level is CRITICAL (and ACCEPTING_TRAFFIC
         * again when it drops), so Kubernetes stops routing to the pod before the kernel kills it.
         */
        private boolean enabled = false;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** {@code headroom.metrics.*}: the Micrometer meters. */
    public static class Metrics {
        /** Bind the headroom.* meters to every MeterRegistry in the context. */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    public Health getHealth() {
        return health;
    }

    public Readiness getReadiness() {
        return readiness;
    }

    public Metrics getMetrics() {
        return metrics;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getInterval() {
        return interval;
    }

    public void setInterval(String interval) {
        this.interval = interval;
    }

    public String getWatchInterval() {
        return watchInterval;
    }

    public void setWatchInterval(String watchInterval) {
        this.watchInterval = watchInterval;
    }

    public String getWarnAt() {
        return warnAt;
    }

    public void setWarnAt(String warnAt) {
        this.warnAt = warnAt;
    }

    public String getCriticalAt() {
        return criticalAt;
    }

    public void setCriticalAt(String criticalAt) {
        this.criticalAt = criticalAt;
    }

    public String getHeapDumpAt() {
        return heapDumpAt;
    }

    public void setHeapDumpAt(String heapDumpAt) {
        this.heapDumpAt = heapDumpAt;
    }

    public String getHeapDumpDir() {
        return heapDumpDir;
    }

    public void setHeapDumpDir(String heapDumpDir) {
        this.heapDumpDir = heapDumpDir;
    }

    public Boolean getHeapDumpAllowTmpfs() {
        return heapDumpAllowTmpfs;
    }

    public void setHeapDumpAllowTmpfs(Boolean heapDumpAllowTmpfs) {
        this.heapDumpAllowTmpfs = heapDumpAllowTmpfs;
    }

    public Boolean getHeapDumpOnOutOfMemory() {
        return heapDumpOnOutOfMemory;
    }

    public void setHeapDumpOnOutOfMemory(Boolean heapDumpOnOutOfMemory) {
        this.heapDumpOnOutOfMemory = heapDumpOnOutOfMemory;
    }

    public String getHeapDumpMinInterval() {
        return heapDumpMinInterval;
    }

    public void setHeapDumpMinInterval(String heapDumpMinInterval) {
        this.heapDumpMinInterval = heapDumpMinInterval;
    }

    public String getSoftLimit() {
        return softLimit;
    }

    public void setSoftLimit(String softLimit) {
        this.softLimit = softLimit;
    }

    public String getGcCpuCap() {
        return gcCpuCap;
    }

    public void setGcCpuCap(String gcCpuCap) {
        this.gcCpuCap = gcCpuCap;
    }

    public Boolean getIdleReclaim() {
        return idleReclaim;
    }

    public void setIdleReclaim(Boolean idleReclaim) {
        this.idleReclaim = idleReclaim;
    }

    public String getIdleReclaimAfter() {
        return idleReclaimAfter;
    }

    public void setIdleReclaimAfter(String idleReclaimAfter) {
        this.idleReclaimAfter = idleReclaimAfter;
    }

    public String getReclaimCpuBudget() {
        return reclaimCpuBudget;
    }

    public void setReclaimCpuBudget(String reclaimCpuBudget) {
        this.reclaimCpuBudget = reclaimCpuBudget;
    }

    public Boolean getTrimNativeHeap() {
        return trimNativeHeap;
    }

    public void setTrimNativeHeap(Boolean trimNativeHeap) {
        this.trimNativeHeap = trimNativeHeap;
    }

    public String getExitAt() {
        return exitAt;
    }

    public void setExitAt(String exitAt) {
        this.exitAt = exitAt;
    }

    public Integer getExitCode() {
        return exitCode;
    }

    public void setExitCode(Integer exitCode) {
        this.exitCode = exitCode;
    }

    public String getTerminationMessage() {
        return terminationMessage;
    }

    public void setTerminationMessage(String terminationMessage) {
        this.terminationMessage = terminationMessage;
    }

    public String getEventLog() {
        return eventLog;
    }

    public void setEventLog(String eventLog) {
        this.eventLog = eventLog;
    }

    public String getPrometheus() {
        return prometheus;
    }

    public void setPrometheus(String prometheus) {
        this.prometheus = prometheus;
    }

    public String getPrometheusTlsKeyStore() {
        return prometheusTlsKeyStore;
    }

    public void setPrometheusTlsKeyStore(String prometheusTlsKeyStore) {
        this.prometheusTlsKeyStore = prometheusTlsKeyStore;
    }

    public String getPrometheusTlsKeyStorePasswordFile() {
        return prometheusTlsKeyStorePasswordFile;
    }

    public void setPrometheusTlsKeyStorePasswordFile(String prometheusTlsKeyStorePasswordFile) {
        this.prometheusTlsKeyStorePasswordFile = prometheusTlsKeyStorePasswordFile;
    }

    public String getPrometheusBasicAuthUser() {
        return prometheusBasicAuthUser;
    }

    public void setPrometheusBasicAuthUser(String prometheusBasicAuthUser) {
        this.prometheusBasicAuthUser = prometheusBasicAuthUser;
    }

    public String getPrometheusBasicAuthPasswordHash() {
        return prometheusBasicAuthPasswordHash;
    }

    public void setPrometheusBasicAuthPasswordHash(String prometheusBasicAuthPasswordHash) {
        this.prometheusBasicAuthPasswordHash = prometheusBasicAuthPasswordHash;
    }

    public String getPrometheusBearerTokenFile() {
        return prometheusBearerTokenFile;
    }

    public void setPrometheusBearerTokenFile(String prometheusBearerTokenFile) {
        this.prometheusBearerTokenFile = prometheusBearerTokenFile;
    }

    public Boolean getJmx() {
        return jmx;
    }

    public void setJmx(Boolean jmx) {
        this.jmx = jmx;
    }

    public Boolean getJmxWritable() {
        return jmxWritable;
    }

    public void setJmxWritable(Boolean jmxWritable) {
        this.jmxWritable = jmxWritable;
    }

    public String getWho() {
        return who;
    }

    public void setWho(String who) {
        this.who = who;
    }

    public Boolean getChannel() {
        return channel;
    }

    public void setChannel(Boolean channel) {
        this.channel = channel;
    }

    public Boolean getAttachToTools() {
        return attachToTools;
    }

    public void setAttachToTools(Boolean attachToTools) {
        this.attachToTools = attachToTools;
    }

    public String getRoot() {
        return root;
    }

    public void setRoot(String root) {
        this.root = root;
    }

    public Boolean getQuiet() {
        return quiet;
    }

    public void setQuiet(Boolean quiet) {
        this.quiet = quiet;
    }

    public String getLog() {
        return log;
    }

    public void setLog(String log) {
        this.log = log;
    }

    public String getConfig() {
        return config;
    }

    public void setConfig(String config) {
        this.config = config;
    }
}
