/**
 * The wiring: Headroom running in this JVM. {@link dev.headroom.internal.runtime.HeadroomRuntime} owns
 * the sampler thread, {@code headroom-sampler}: each tick samples a budget, lets the governor act on it,
 * hands it to listeners and publishers, and waits for the {@link dev.headroom.internal.runtime.AdaptivePeriod};
 * the budget source, the governor and the publishers' per-sample work run on that thread only. A
 * {@link dev.headroom.internal.clock.Watchdog} on its own parked thread ({@code headroom-watchdog})
 * reports the start or a sampler task that never finishes (docs/hardening.md).
 * {@link dev.headroom.internal.runtime.Bindings} binds the production parts (the budget sampler, the
 * soft-limit reclaimer). {@link dev.headroom.internal.runtime.JvmMarker} is the JVM-wide flag (a system
 * property) that keeps one instance per JVM across class loaders; {@link dev.headroom.internal.runtime.Engine}
 * is what a {@code Headroom} handle delegates to (the runtime, or {@link dev.headroom.internal.runtime.OnDemandEngine}
 * for a second copy with no MXBean to read); {@link dev.headroom.internal.runtime.HeadroomAccess} lets the
 * agent start Headroom with its own parts. {@link dev.headroom.internal.runtime.Reconfigure} plans a change of
 * options on a running instance (which can change, which are fixed at start), which the sampler takes
 * before its next sample; {@link dev.headroom.internal.runtime.Slf4jLookup} looks for the application's
 * SLF4J on the sampler thread for {@code log=slf4j}. Wiring layer: above the governor and everything it builds on,
 * below the renderers and endpoints, which it feeds through its {@code Publisher} interface without
 * naming them.
 */
package dev.headroom.internal.runtime;
