package dev.headroom.samples.spring;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import static dev.headroom.samples.spring.Manifests.allContainers;
import static dev.headroom.samples.spring.Manifests.list;
import static dev.headroom.samples.spring.Manifests.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every manifest in {@code samples/kubernetes}, parsed: each pod meets the "restricted" Pod Security
 * Standard, field by field as https://kubernetes.io/docs/concepts/security/pod-security-standards/
 * lists it (Restricted, and the Baseline controls it includes that these pods could touch), runs
 * with a read-only root file system, keeps heap dumps off tmpfs, and the init-container variant
 * attaches the agent from where its init container puts it. (No cluster here: the Pod Security
 * Admission controller is not asked; these are the same rules.)
 */
class KubernetesManifestsTest {
    /** Restricted, "Volume Types": only these volume sources. */
    private static final Set<String> ALLOWED_VOLUMES = Set.of("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
            "persistentVolumeClaim", "projected", "secret");

    @Test
    void everyManifestParsesAndHasItsWorkloads() throws Exception {
        List<Path> files = Manifests.files();
        assertTrue(files.stream().map(p -> p.getFileName().toString()).toList()
                .containsAll(List.of("leaky-app.yaml", "spring-boot.yaml", "agent-init-container.yaml")), files.toString());
        for (Path f : files) {
            assertFalse(Manifests.docs(f).isEmpty(), f + " has no YAML documents");
        }
        assertEquals(3, Manifests.workloads().size(), Manifests.workloads().toString());
    }

    @Test
    void everyPodMeetsTheRestrictedPodSecurityStandard() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Manifests.Doc d : Manifests.workloads()) {
            Map<String, Object> pod = d.podSpec();
            Map<String, Object> podSc = map(pod, "securityContext");
            // Baseline: host namespaces
            for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
                check(problems, d, !Boolean.TRUE.equals(pod.get(host)), host + " must be unset or false");
            }
            // Restricted: volume types (this also rules out Baseline's hostPath)
            for (Map<String, Object> v : list(pod, "volumes")) {
                Set<String> sources = new java.util.HashSet<>(v.keySet());
                sources.remove("name");
                check(problems, d, ALLOWED_VOLUMES.containsAll(sources), "volume " + v.get("name") + " uses " + sources);
            }
            for (Map<String, Object> c : allContainers(pod)) {
                String who = "container " + c.get("name") + ": ";
                Map<String, Object> sc = map(c, "securityContext");
                // Baseline: privileged containers, host ports
                check(problems, d, !Boolean.TRUE.equals(sc.get("privileged")), who + "privileged");
                for (Map<String, Object> port : list(c, "ports")) {
                    check(problems, d, port.get("hostPort") == null || Integer.valueOf(0).equals(port.get("hostPort")), who + "hostPort");
                }
                // Restricted: privilege escalation
                check(problems, d, Boolean.FALSE.equals(sc.get("allowPrivilegeEscalation")), who + "allowPrivilegeEscalation must be false");
                // Restricted: running as non-root (pod level, or every container; no container may undo it)
                Object nonRoot = sc.containsKey("runAsNonRoot") ? sc.get("runAsNonRoot") : podSc.get("runAsNonRoot");
                check(problems, d, Boolean.TRUE.equals(nonRoot), who + "runAsNonRoot must be true");
                // Restricted: running as non-root user (runAsUser, where set, not 0); we also require it set
                Object user = sc.containsKey("runAsUser") ? sc.get("runAsUser") : podSc.get("runAsUser");
                check(problems, d, user instanceof Integer u && u != 0, who + "runAsUser must be set and non-zero, is " + user);
                // Restricted: seccomp RuntimeDefault or Localhost (pod level, or every container)
                Object seccomp = map(sc, "seccompProfile").getOrDefault("type", map(podSc, "seccompProfile").get("type"));
                check(problems, d, "RuntimeDefault".equals(seccomp) || "Localhost".equals(seccomp), who + "seccompProfile.type is " + seccomp);
                // Restricted: capabilities drop ALL, add at most NET_BIND_SERVICE
                Map<String, Object> caps = map(sc, "capabilities");
                check(problems, d, Objects.requireNonNullElse((List<?>) caps.get("drop"), List.of()).contains("ALL"), who + "capabilities.drop must hold ALL");
                check(problems, d, Set.of("NET_BIND_SERVICE").containsAll(Objects.requireNonNullElse((List<?>) caps.get("add"), List.of())),
                        who + "capabilities.add beyond NET_BIND_SERVICE");
                // Not in the standard, but ours: nothing writes to the image.
                check(problems, d, Boolean.TRUE.equals(sc.get("readOnlyRootFilesystem")), who + "readOnlyRootFilesystem must be true");
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void theJvmsWritableDirectoriesAreEmptyDirsOnDiskNotTmpfs() throws Exception {
        for (Manifests.Doc d : Manifests.workloads()) {
            Map<String, Object> pod = d.podSpec();
            for (Map<String, Object> v : list(pod, "volumes")) {
                if (v.containsKey("emptyDir")) {
                    // medium: Memory is a tmpfs charged to the pod's memory limit: a heap dump there
                    // would itself drive the pod into the OOM killer.
                    assertNotEquals("Memory", map(v, "emptyDir").get("medium"), d + " volume " + v.get("name"));
                    assertTrue(map(v, "emptyDir").containsKey("sizeLimit"), d + " volume " + v.get("name") + " has no sizeLimit");
                }
            }
            for (Map<String, Object> c : list(pod, "containers")) {
                List<String> mounts = list(c, "volumeMounts").stream().map(m -> (String) m.get("mountPath")).toList();
                assertTrue(mounts.contains("/tmp"), d + ": a read-only root needs /tmp mounted (hsperfdata, java.io.tmpdir): " + mounts);
                String options = javaToolOptions(c);
                if (options.contains("heapDumpDir=")) {
                    String dir = options.replaceAll(".*heapDumpDir=([^,\\s]+).*", "$1");
                    assertTrue(mounts.contains(dir), d + ": heapDumpDir=" + dir + " is a mounted volume: " + mounts);
                }
            }
        }
    }

    @Test
    void theInitContainerCopiesTheAgentWhereJavaToolOptionsLoadsItFrom() throws Exception {
        Map<String, Object> pod = Manifests.only("agent-init-container.yaml", "Deployment").podSpec();
        Map<String, Object> init = list(pod, "initContainers").get(0);
        Map<String, Object> app = list(pod, "containers").get(0);
        String options = javaToolOptions(app);
        assertTrue(options.startsWith("-javaagent:"), options);
        String agentPath = options.substring("-javaagent:".length()).split("[=\\s]")[0];
        assertTrue(agentPath.endsWith("/headroom-agent.jar"), agentPath);

        @SuppressWarnings("unchecked")
        List<String> command = (List<String>) init.get("command");
        assertEquals("cp", command.get(0), command.toString());
        assertEquals(agentPath, command.get(command.size() - 1), "the init container copies the jar to the path -javaagent names");

        String dir = agentPath.substring(0, agentPath.lastIndexOf('/'));
        String appVolume = volumeAt(app, dir);
        assertTrue(appVolume != null, "the app mounts a volume at " + dir + ": " + list(app, "volumeMounts"));
        assertEquals(appVolume, volumeAt(init, dir), "the init container writes to the same volume at the same path");
        Map<String, Object> volume = list(pod, "volumes").stream().filter(v -> appVolume.equals(v.get("name"))).findFirst().orElseThrow();
        assertTrue(volume.containsKey("emptyDir"), "the shared volume is an emptyDir: " + volume);
        assertTrue(list(pod, "containers").stream().noneMatch(c -> c.get("image").toString().contains("headroom")),
                "the application image is not Headroom's: the variant is for images without the agent");
    }

    @Test
    void theAgentsManifestsKeepTheTerminationMessage() throws Exception {
        for (String file : List.of("leaky-app.yaml", "agent-init-container.yaml")) {
            Map<String, Object> app = list(Manifests.only(file, "Deployment").podSpec(), "containers").get(0);
            // The agent's default terminationMessage= path; the kubelet reads it (docs/kubernetes.md).
            assertEquals("/dev/termination-log", app.get("terminationMessagePath"), file);
            assertEquals("FallbackToLogsOnError", app.get("terminationMessagePolicy"), file);
        }
    }

    static String javaToolOptions(Map<String, Object> container) {
        for (Map<String, Object> e : list(container, "env")) {
            if ("JAVA_TOOL_OPTIONS".equals(e.get("name"))) {
                return e.get("value").toString().trim();
            }
        }
        return "";
    }

    private static String volumeAt(Map<String, Object> container, String path) {
        for (Map<String, Object> m : list(container, "volumeMounts")) {
            if (path.equals(m.get("mountPath"))) {
                return (String) m.get("name");
            }
        }
        return null;
    }

    private static void check(List<String> problems, Manifests.Doc d, boolean ok, String what) {
        if (!ok) {
            problems.add(d + ": " + what);
        }
    }
}
