/**
 * The local channel ({@code channel=on}, the default): {@link dev.headroom.internal.channel.ChannelServer}
 * listens on an owner-only Unix domain socket, {@code /tmp/.headroom-<pid>.sock}, and answers one short
 * request per connection ({@code json}, {@code text} or {@code frame}, see {@link dev.headroom.internal.channel.ChannelProtocol})
 * with the latest budget the sampler published, then closes it. The one request that changes anything,
 * {@code who on <seconds>} ({@code report --pid --who}), takes a lease on the agent's attribution from
 * the governor, within what the JVM's {@code who} option allows; switching happens on attribution's own
 * thread. It has no thread: the sampler thread
 * polls it with one non-blocking {@code accept()} per tick ({@code HeadroomRuntime.Publisher#tick}).
 * The CLI's {@code report --pid} and {@code report --watch --pid} read it without the JDK's attach
 * mechanism, so they work from a JRE without {@code jdk.attach}. Endpoints layer, the top: started by
 * {@code Headroom.start} on the sampler thread and closed with the runtime. Why a socket, and how it is
 * kept owner-only: docs/cli.md.
 */
package dev.headroom.internal.channel;
