/**
 * Headroom's public API: the only package, with {@link dev.headroom.metrics}, a user may touch.
 * {@link dev.headroom.Headroom} starts (or finds) the one instance of this JVM and hands out its
 * latest {@link dev.headroom.Budget}; {@link dev.headroom.HeadroomConfig} is its configuration;
 * {@link dev.headroom.HeadroomListener} receives budgets, {@link dev.headroom.PressureLevel} changes,
 * {@link dev.headroom.HeadroomEvent}s and {@link dev.headroom.ReclaimRequest}s on the
 * {@code headroom-listeners} thread; {@link dev.headroom.Cgroups} reads the cgroup once, without
 * starting anything. The records ({@code Budget}, {@link dev.headroom.CgroupSnapshot},
 * {@link dev.headroom.JvmSnapshot}, {@link dev.headroom.ProcessSnapshot},
 * {@link dev.headroom.GovernorState}) are immutable and safe to share between threads. Everything
 * under {@code dev.headroom.internal} is not API and changes without notice: Java cannot hide it
 * from an automatic module, so tests do (docs/architecture.md, "The API boundary").
 */
package dev.headroom;
