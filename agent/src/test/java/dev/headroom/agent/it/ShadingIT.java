package dev.headroom.agent.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

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

    /**
     * Headroom's own classes are stored, Byte Buddy's deflated: the JVM reads the start path's ~150
     * classes from this jar in every JVM the agent watches, and a deflated entry costs a fresh inflater
     * buffer on the heap each (docs/limits.md, "Resident memory"); Byte Buddy loads only with
     * attribution, and stored it would add 8 MB to the jar. The manifest stays the first entry after
     * its directory, where {@code JarInputStream} looks for it.
     */
    @Test
    void ownClassesAreStoredAndTheRestDeflated() throws IOException {
        List<String> deflatedOwn = new ArrayList<>();
        int ownClasses = 0;
        int storedShaded = 0;
        try (ZipFile zip = new ZipFile(BuiltAgentJar.path().toFile())) {
            List<? extends ZipEntry> entries = zip.stream().toList();
            int manifestAt = entries.stream().map(ZipEntry::getName).toList().indexOf("META-INF/MANIFEST.MF");
            assertTrue(manifestAt == 0 || manifestAt == 1 && entries.get(0).getName().equals("META-INF/"),
                    "the manifest leads the jar (after META-INF/ at most): at " + manifestAt);
            for (ZipEntry e : entries) {
                String name = e.getName();
                if (e.isDirectory() || !name.endsWith(".class")) {
                    continue;
                }
                if (name.startsWith("dev/headroom/shaded/")) {
                    storedShaded += e.getMethod() == ZipEntry.STORED ? 1 : 0;
                } else if (name.startsWith("dev/headroom/")) {
                    ownClasses++;
                    if (e.getMethod() != ZipEntry.STORED) {
                        deflatedOwn.add(name);
                    }
                }
            }
        }
        assertTrue(ownClasses > 100, "Headroom's classes are in the jar: " + ownClasses);
        assertTrue(deflatedOwn.isEmpty(), "Headroom classes deflated (see agent/pom.xml, store-own-classes): " + deflatedOwn);
        assertEquals(0, storedShaded, "Byte Buddy's classes stay deflated");
        try (JarFile jar = new JarFile(BuiltAgentJar.path().toFile())) {
            assertNotNull(jar.getManifest(), "the rebuilt jar keeps its manifest");
            assertEquals("dev.headroom.agent.HeadroomAgent", jar.getManifest().getMainAttributes().getValue("Premain-Class"));
        }
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
