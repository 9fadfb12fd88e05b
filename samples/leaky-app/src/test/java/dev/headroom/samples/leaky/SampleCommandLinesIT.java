package dev.headroom.samples.leaky;

import dev.headroom.testkit.CgroupSupport;
import dev.headroom.testkit.ForkedJvm;
import dev.headroom.testkit.MemoryCgroup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The samples keep their word: the Dockerfile's ENTRYPOINT and CMD, the Kubernetes manifest's
 * command, args and {@code JAVA_TOOL_OPTIONS}, and the init-container manifest's
 * {@code JAVA_TOOL_OPTIONS} in front of this app with no flags of its own, read from the files
 * themselves and replayed in a real memory cgroup of the size they are written for (256 MiB; 512 MiB
 * for the init-container one). Their comments promise a warning, a heap dump and an orderly exit with
 * status 75 before the JVM dies of memory: each run must end that way, with no kernel kill and no
 * {@code OutOfMemoryError}.
 *
 * <p>Only the paths inside the image are mapped to this machine (the agent jar, the app jar,
 * {@code /dumps}, the manifest's ConfigMap volume, whose {@code headroom.properties} is written from
 * the manifest) and the manifests' Prometheus port becomes an ephemeral one; every flag and option
 * is the file's own.
 */
class SampleCommandLinesIT {
    private static final long MIB = 1L << 20;
    private static final Duration RUN = Duration.ofSeconds(120);

    private static Path agentJar;
    private static Path appJar;
    private static Path samples;

    @TempDir
    Path dumps;

    /** Where the manifest's ConfigMap volume is mounted, mapped to this machine (null: no such mount). */
    private String configMountPath;
    @TempDir
    Path configMount;

    @BeforeAll
    static void locate() {
        CgroupSupport.requireAvailable();
        agentJar = Path.of(System.getProperty("headroom.agentJar", "../../agent/target/headroom-agent.jar")).toAbsolutePath().normalize();
        appJar = Path.of(System.getProperty("headroom.appJar", "target/leaky-app.jar")).toAbsolutePath().normalize();
        samples = Path.of(System.getProperty("headroom.samplesDir", "..")).toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(agentJar), agentJar + " is built before the samples (./mvnw verify)");
        assertTrue(Files.isRegularFile(appJar), appJar + " is packaged before integration tests");
    }

    @Test
    void theDockerfileWarnsDumpsAndExitsWith75() throws Exception {
        String dockerfile = Files.readString(samples.resolve("leaky-app/Dockerfile"), StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(jsonArray(dockerfile, "ENTRYPOINT"));
        command.addAll(jsonArray(dockerfile, "CMD"));
        // On JDK 21+ Serial grows its young generation tenfold at the first full collection, and the
        // next one takes the heap from 70% to 95% in one step: the dump and the exit hold only because
        // the watch expects that step from eden's size (docs/limits.md, "The heap's next figure").
        run("dockerfile", 256 * MIB, command, null, null, true);
    }

    @Test
    void theKubernetesManifestWarnsDumpsAndExitsWith75() throws Exception {
        String manifest = Files.readString(samples.resolve("kubernetes/leaky-app.yaml"), StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(yamlList(manifest, "command"));
        command.addAll(yamlList(manifest, "args"));
        Matcher tool = Pattern.compile("name: JAVA_TOOL_OPTIONS\\s+value: >-\\s+(\\S+)").matcher(manifest);
        assertTrue(tool.find(), "JAVA_TOOL_OPTIONS in the manifest");
        materializeConfigMap(manifest, tool.group(1));
        run("kubernetes", memoryLimit(manifest), command, tool.group(1), terminationLog(manifest), true);
    }

    /**
     * The init-container manifest's app container: "any JVM image", so the leaky app as the Dockerfile's
     * CMD runs it, with no JVM flag of its own; the agent and its options come only from the manifest's
     * {@code JAVA_TOOL_OPTIONS}. In the 512 MiB limit the JVM's default max heap is a quarter of it
     * (MaxRAMPercentage=25), so the heap binds long before the container and the percentages apply to
     * it. There is no eventLog in these options: the warning, the dump and the exit are read where the
     * manifest's comment looks for them, the {@code [headroom]} lines of the container's log.
     */
    @Test
    void theInitContainerManifestsAgentOptionsWarnDumpAndExitWith75() throws Exception {
        String manifest = Files.readString(samples.resolve("kubernetes/agent-init-container.yaml"), StandardCharsets.UTF_8);
        Matcher tool = Pattern.compile("name: JAVA_TOOL_OPTIONS\\s+value: >-\\s+(\\S+)").matcher(manifest);
        assertTrue(tool.find(), "JAVA_TOOL_OPTIONS in the manifest");
        String inPod = "-javaagent:/headroom/headroom-agent.jar=";
        assertTrue(tool.group(1).startsWith(inPod), "the agent from the init container's volume: " + tool.group(1));
        assertFalse(tool.group(1).contains("eventLog="), "the stderr lines are what this replay reads: " + tool.group(1));
        String options = "-javaagent:" + agentJar + "=" + tool.group(1).substring(inPod.length()).replace("prometheus=:9404", "prometheus=127.0.0.1:0");
        String dockerfile = Files.readString(samples.resolve("leaky-app/Dockerfile"), StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(List.of("java", "-jar", "/app/leaky-app.jar"));
        command.addAll(jsonArray(dockerfile, "CMD"));
        run("init-container", memoryLimit(manifest), command, options, terminationLog(manifest), false);
    }

    /**
     * The limit of the manifest's application container (the first of {@code containers:}, not an
     * init container's), in bytes.
     */
    static long memoryLimit(String manifest) {
        int containers = manifest.indexOf("\n      containers:");
        assertTrue(containers >= 0, "containers in the manifest");
        Matcher limit = Pattern.compile("limits:\\s+memory: (\\d+)Mi\\s").matcher(manifest);
        assertTrue(limit.find(containers), "the app container's memory limit in Mi");
        return Long.parseLong(limit.group(1)) * MIB;
    }

    /**
     * The kubelet creates the container's terminationMessagePath as an empty file; the agent writes
     * Kubernetes' default path unless told otherwise, so here that file is mapped to this machine.
     */
    private Path terminationLog(String manifest) throws Exception {
        Matcher terminationPath = Pattern.compile("terminationMessagePath: (\\S+)").matcher(manifest);
        assertTrue(terminationPath.find() && terminationPath.group(1).equals("/dev/termination-log"),
                "the manifest names the path the agent writes by default");
        return Files.createFile(dumps.resolve("termination-log"));
    }

    /**
     * The ConfigMap's file that {@code config=} names, written where its volume would be mounted, in the
     * layout the kubelet gives a ConfigMap volume (the file a link through {@code ..data} into a
     * timestamped directory), its options the manifest's own but for the paths mapped to this machine.
     */
    private void materializeConfigMap(String manifest, String javaToolOptions) throws Exception {
        Matcher config = Pattern.compile("config=([^,\\s]+)").matcher(javaToolOptions);
        assertTrue(config.find(), "the agent's options are in the ConfigMap that config= names: " + javaToolOptions);
        Path inPod = Path.of(config.group(1));
        configMountPath = inPod.getParent().toString();
        Matcher volume = Pattern.compile("(?m)^\\s+- name: (\\S+)\\s+configMap:\\s+name: (\\S+)\\s*$").matcher(manifest);
        assertTrue(volume.find(), "a ConfigMap volume in the manifest");
        assertTrue(Pattern.compile("- name: " + Pattern.quote(volume.group(1)) + "\\s+mountPath: " + Pattern.quote(configMountPath) + "\\s")
                .matcher(manifest).find(), "the ConfigMap volume is mounted at " + configMountPath);
        assertTrue(Pattern.compile("kind: ConfigMap\\s+metadata:\\s+name: " + Pattern.quote(volume.group(2)) + "\\s").matcher(manifest).find(),
                "the manifest defines ConfigMap " + volume.group(2));

        Matcher block = Pattern.compile("(?m)^( +)" + Pattern.quote(inPod.getFileName().toString()) + ": \\|\\n((?:\\1 .*\\n|\\s*\\n)+)").matcher(manifest);
        assertTrue(block.find(), "the ConfigMap holds " + inPod.getFileName() + " as a literal block");
        StringBuilder properties = new StringBuilder();
        for (String line : block.group(2).split("\n")) {
            String text = line.length() > block.group(1).length() + 2 ? line.substring(block.group(1).length() + 2) : "";
            properties.append(inThisMachine(text).replace("prometheus=:9404", "prometheus=127.0.0.1:0")).append('\n');
        }
        assertTrue(properties.toString().contains("exitAt="), "the options are in the file: " + properties);
        Path timestamped = Files.createDirectory(configMount.resolve("..2026_01_01_00_00_00.000000000"));
        Files.writeString(timestamped.resolve(inPod.getFileName()), properties, StandardCharsets.UTF_8);
        Files.createSymbolicLink(configMount.resolve("..data"), timestamped.getFileName());
        Files.createSymbolicLink(configMount.resolve(inPod.getFileName()), Path.of("..data").resolve(inPod.getFileName()));
    }

    /**
     * Runs the command in a cgroup of {@code limit} bytes and checks the promised ending. The warning, the
     * exit and the dump are read from {@code /dumps/events.jsonl} when the options write it, otherwise
     * from the {@code [headroom]} lines on stderr (which carry the dump's size rounded as printed).
     */
    private void run(String name, long limit, List<String> image, String javaToolOptions, Path terminationMessage,
                     boolean eventLog) throws Exception {
        List<String> command = new ArrayList<>();
        for (String arg : image) {
            command.add(inThisMachine(arg));
        }
        assertEquals("java", command.get(0), "the command starts the JVM: " + image);
        int jar = command.indexOf("-jar");
        assertTrue(jar > 0, "the command runs the app jar: " + image);
        Path events = dumps.resolve("events.jsonl");
        try (MemoryCgroup cgroup = MemoryCgroup.create("sample-" + name, limit)) {
            ForkedJvm.Builder b = ForkedJvm.builder("sample-" + name).in(cgroup).workDir(dumps)
                    .jvmArgs(command.subList(1, jar)).jar(Path.of(command.get(jar + 1)))
                    .args(command.subList(jar + 2, command.size()).toArray(new String[0]));
            if (javaToolOptions != null) {
                b.env("JAVA_TOOL_OPTIONS", inThisMachine(javaToolOptions));
            }
            if (terminationMessage != null) {
                b.env("HEADROOM_TERMINATION_MESSAGE", terminationMessage.toString());
            }
            ForkedJvm jvm = b.start();
            ForkedJvm.Result r = jvm.waitFor(RUN);
            String log = !eventLog ? String.join("\n", r.stderr().stream().filter(l -> l.startsWith("[headroom] ")).toList())
                    : Files.exists(events) ? Files.readString(events, StandardCharsets.UTF_8) : "(no event log)";
            String context = "\n" + log + "\n" + r.describe();
            assertEquals(0, cgroup.oomKills(), "the kernel killed nothing" + context);
            assertFalse(String.join("\n", r.stderr()).contains("java.lang.OutOfMemoryError"), "no OutOfMemoryError" + context);
            assertEquals(75, r.exitCode(), "the orderly exit's status" + context);
            assertTrue(String.join("\n", r.stdout()).contains("leaky-app: shutting down in order"), "the app's shutdown hook ran" + context);

            // The exit is decided (and logged) in the sample that also starts the dump; the JVM leaves
            // only once the dump is written, so the heap_dump line may follow the exit line.
            Matcher warning = Pattern.compile(eventLog ? "\"event\":\"pressure\",\"level\":\"(WARN|CRITICAL)\""
                    : "(?m)^\\[headroom] pressure (WARN|CRITICAL) ").matcher(log);
            int exit = log.indexOf(eventLog ? "\"event\":\"exit\"" : "[headroom] exiting with status 75: ");
            assertTrue(warning.find() && exit > warning.start(), "a warning before the exit" + context);
            // Before the heap makes it dump or exit, a full collection checks the heap: the sample's leak is live.
            assertFalse(log.contains("garbage the young collections had promoted"), "the heap check found the leak live" + context);
            Path hprof;
            if (eventLog) {
                Matcher file = Pattern.compile("\"event\":\"heap_dump\".*?\"path\":\"([^\"]+)\",\"bytes\":(\\d+)").matcher(log);
                assertTrue(file.find(), context);
                hprof = Path.of(file.group(1));
                assertEquals(Long.parseLong(file.group(2)), Files.size(hprof), "the dump is complete: the size the event names");
            } else {
                Matcher file = Pattern.compile("(?m)^\\[headroom] heap dump written: (.+?) \\(([0-9.]+) (B|KiB|MiB|GiB) in ").matcher(log);
                assertTrue(file.find(), context);
                hprof = Path.of(file.group(1));
                assertEquals(file.group(2), printed(Files.size(hprof), file.group(3), file.group(2)),
                        "the dump is complete: the size the line names (" + Files.size(hprof) + " bytes)");
            }
            assertTrue(hprof.startsWith(dumps), hprof + " is in the sample's dump directory");
            System.out.println("[" + name + "] " + log.substring(exit).lines().findFirst().orElse(""));
            if (terminationMessage != null) {
                // What `kubectl describe pod` shows as the last state's message.
                String message = Files.readString(terminationMessage, StandardCharsets.UTF_8);
                assertTrue(message.startsWith("headroom: exiting with status 75: "), message + context);
                assertTrue(message.contains("\nheadroom: heap dump written: " + hprof + " ("), message + context);
                assertTrue(Files.size(terminationMessage) <= 4096, "Kubernetes' limit");
                System.out.println("[" + name + "] termination message:\n" + message);
            }
        }
    }

    /** {@code bytes} in {@code unit} with as many decimals as {@code shown} has: how the agent prints a size. */
    private static String printed(long bytes, String unit, String shown) {
        int shift = switch (unit) {
            case "GiB" -> 30;
            case "MiB" -> 20;
            case "KiB" -> 10;
            default -> 0;
        };
        int decimals = shown.contains(".") ? shown.length() - shown.indexOf('.') - 1 : 0;
        return String.format(Locale.ROOT, "%." + decimals + "f", bytes / (double) (1L << shift));
    }

    /** An image path mapped to this machine: the agent jar, the app jar, the dump volume. */
    private String inThisMachine(String arg) {
        String mapped = configMountPath == null ? arg : arg.replace(configMountPath + "/", configMount + "/");
        return mapped.replace("/opt/headroom/headroom-agent.jar", agentJar.toString())
                .replace("/app/leaky-app.jar", appJar.toString())
                .replace("/dumps", dumps.toString());
    }

    /** The exec-form JSON array after {@code instruction} in a Dockerfile (continuation lines joined). */
    static List<String> jsonArray(String dockerfile, String instruction) {
        String joined = dockerfile.replace("\\\n", " ");
        Matcher m = Pattern.compile("(?m)^" + instruction + "\\s*\\[(.*?)]\\s*$").matcher(joined);
        assertTrue(m.find(), instruction + " in exec form");
        return quoted(m.group(1));
    }

    /** A flow-style YAML list ({@code key: ["a", "b"]}) in the manifest. */
    static List<String> yamlList(String yaml, String key) {
        Matcher m = Pattern.compile("(?m)^\\s+" + key + ":\\s*\\[(.*?)]\\s*$").matcher(yaml);
        assertTrue(m.find(), key + " as a flow list");
        return quoted(m.group(1));
    }

    private static List<String> quoted(String list) {
        List<String> out = new ArrayList<>();
        Matcher q = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(list);
        while (q.find()) {
            out.add(q.group(1));
        }
        return out;
    }
}
