/**
 * The MXBean {@code dev.headroom:type=Headroom}. {@link dev.headroom.internal.jmx.JmxPublisher} is a
 * runtime publisher: the sampler thread hands it each budget, and it hands JMX notifications to
 * listeners on {@code headroom-jmx-notifications}, so a slow JMX client never delays a sample.
 * {@link dev.headroom.internal.jmx.PlatformRegistration} registers it once the platform MBean server
 * exists, never creating it (sampler thread). {@link dev.headroom.internal.jmx.JmxEngine} is the other
 * side: the handle of a second copy in another class loader, which reads the running copy's MXBean
 * instead of starting a second sampler. Endpoints layer, the top: it uses the runtime and the
 * renderers below it.
 */
package dev.headroom.internal.jmx;
