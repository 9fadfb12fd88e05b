package dev.headroom.agent;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JdkToolsTest {
    @Test
    void recognisesModularJdkLaunchers() {
        assertEquals("jdk.jcmd", JdkTools.toolName("jdk.jcmd/sun.tools.jcmd.JCmd 4242 GC.heap_info", "jdk.jcmd"));
        assertEquals("jdk.compiler", JdkTools.toolName("jdk.compiler/com.sun.tools.javac.Main -d out A.java", null));
        assertEquals("jdk.jartool", JdkTools.toolName(null, "jdk.jartool"));
        assertEquals("java.base", JdkTools.toolName("java.base/sun.security.tools.keytool.Main -list", null));
    }

    @Test
    void recognisesToolMainClassesWithoutAModule() {
        assertEquals("sun.tools.jps.Jps", JdkTools.toolName("sun.tools.jps.Jps -l", null));
        assertEquals("com.sun.tools.javac.Main", JdkTools.toolName("com.sun.tools.javac.Main", null));
    }

    @Test
    void leavesApplicationsAlone() {
        assertNull(JdkTools.toolName("com.example.App --port 8080", null));
        assertNull(JdkTools.toolName("app.jar", null));
        assertNull(JdkTools.toolName("org.springframework.boot.loader.launch.JarLauncher", null));
        assertNull(JdkTools.toolName("com.example/com.example.Main", "com.example"));
        assertNull(JdkTools.toolName("org.codehaus.plexus.classworlds.launcher.Launcher verify", null), "Maven is an application");
        assertNull(JdkTools.toolName(null, null));
        assertNull(JdkTools.toolName("  ", null));
    }

    @Test
    void recognisesJbossModules() {
        assertTrue(JdkTools.jbossModules("/opt/wildfly/jboss-modules.jar -mp /opt/wildfly/modules org.jboss.as.standalone"));
        assertTrue(JdkTools.jbossModules("org.jboss.modules.Main -mp modules"));
        assertFalse(JdkTools.jbossModules("com.example.App"));
        assertFalse(JdkTools.jbossModules(null));
    }
}
