/**
 * Reaching another running JVM: {@link dev.headroom.agent.attach.TargetProcess} checks in {@code /proc}
 * that the pid is a JVM we may attach to before the JDK's attach code signals it,
 * {@link dev.headroom.agent.attach.JvmConnection} wraps {@code jdk.attach} and turns every failure into
 * an {@link dev.headroom.agent.attach.AttachFailure} that says what to do,
 * {@link dev.headroom.agent.attach.AgentJar} copies this jar where a JVM in another mount namespace can
 * open it, through {@link dev.headroom.agent.attach.TargetTmp}, which reaches the target's {@code /tmp}
 * without following any link the target controls, and {@link dev.headroom.agent.attach.OneShotReport}
 * runs inside the target (on its attach listener thread) to write one report into the file the CLI
 * made, and return, starting no thread of its own. {@link dev.headroom.agent.attach.TargetChannel} reads a
 * running Headroom's channel instead, with no attach at all, and {@link dev.headroom.agent.attach.AttachModule}
 * says whether attaching is possible from this runtime without touching the attach API.
 */
package dev.headroom.agent.attach;
