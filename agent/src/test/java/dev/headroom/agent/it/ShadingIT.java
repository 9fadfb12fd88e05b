package dev.headroom.agent.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The jar users put on {@code -javaagent} shares the application's class path: anything in it outside
 * our own package could clash with the application's copy of the same library. So every class and
 * resource lives under {@code dev/headroom/} (dependencies relocated to {@code dev/headroom/shaded/})
 * or {@code META-INF/}, and the manifest asks for no instrumentation capability Headroom does not use.
 */
class ShadingIT {

    @Test
    void everyEntryIsOursOrMetaInf() throws IOException {
        List<String> strays = new ArrayList<>();
        try (JarFile jar = new JarFile(BuiltAgentJar.path().toFile())) {
            for (JarEntry e : (Iterable<JarEntry>) jar.stream()::iterator) {
                String name = e.getName();
                // A multi-release jar keeps per-version classes under META-INF/versions/N/: judge what follows.
                String effective = name.matches("META-INF/versions/\\d+/.+") ? name.replaceFirst("META-INF/versions/\\d+/", "") : name;
                boolean ours = effective.startsWith("dev/headroom/") || effective.equals("dev/") || effective.equals("dev/headroom/")
                        || (effective.startsWith("META-INF/") && !effective.endsWith(".class"));
                if (!ours || effective.endsWith("module-info.class") || effective.startsWith("dev/headroom/testkit/")) {
                    strays.add(name);
                }
            }
        }
        assertTrue(strays.isEmpty(), "entries outside dev/headroom/ and META-INF/ (or test code, or module-info): " + strays);
    }

    @Test
    void servicesNameOnlyRelocatedClasses() throws IOException {
        try (JarFile jar = new JarFile(BuiltAgentJar.path().toFile())) {
            for (JarEntry e : (Iterable<JarEntry>) jar.stream()::iterator) {
                if (e.getName().startsWith("META-INF/services/") && !e.isDirectory()) {
                    String service = e.getName().substring("META-INF/services/".length());
                    assertTrue(service.startsWith("dev.headroom.") || service.startsWith("java."),
                            "service file for a class outside our package: " + e.getName());
                    String body = new String(jar.getInputStream(e).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    for (String line : body.split("\n")) {
                        String impl = line.replaceFirst("#.*", "").trim();
                        assertTrue(impl.isEmpty() || impl.startsWith("dev.headroom."), e.getName() + " names " + impl);
                    }
                }
            }
        }
    }

    @Test
    void manifestNamesTheEntryPointsAndAsksForNoCapabilities() throws IOException {
        try (JarFile jar = new JarFile(BuiltAgentJar.path().toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("dev.headroom.agent.HeadroomAgent", main.getValue("Premain-Class"));
            assertEquals("dev.headroom.agent.HeadroomAgent", main.getValue("Agent-Class"));
            assertEquals("dev.headroom.agent.Main", main.getValue("Main-Class"));
            // Who is growing (docs/who.md) retransforms six JDK classes once attribution switches on.
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
            assertEquals("false", main.getValue("Can-Redefine-Classes"));
            assertEquals("false", main.getValue("Can-Set-Native-Method-Prefix"));
            assertNotNull(main.getValue("Implementation-Version"), "Implementation-Version (printed by help)");
            assertEquals("dev.headroom.agent", main.getValue("Automatic-Module-Name"),
                    "the module name a modular application requires the jar by survives shading");
            for (String attribute : List.of("Premain-Class", "Agent-Class", "Main-Class")) {
                String cls = main.getValue(attribute).replace('.', '/') + ".class";
                assertNotNull(jar.getEntry(cls), attribute + " names " + cls + ", which is not in the jar");
            }
        }
    }
}
