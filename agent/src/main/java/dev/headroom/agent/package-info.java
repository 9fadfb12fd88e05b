/**
 * The agent jar's two entry points. {@link dev.headroom.agent.HeadroomAgent} is the {@code -javaagent}
 * (and {@code attach}) entry: on the application's main thread it only reads the options and reports
 * bad ones, then a daemon thread, {@code headroom-start}, starts the JVM's one Headroom, whose sampler
 * runs on {@code headroom-sampler}. {@link dev.headroom.agent.Main} is the command line
 * ({@code java -jar headroom-agent.jar report|attach|help}), dispatching to {@link dev.headroom.agent.cli}.
 * Above core: the agent ships core inside its jar and may use the internal packages on the allow-list
 * of its {@code ApiBoundaryTest}, each with its reason.
 */
package dev.headroom.agent;
