/**
 * The commands of {@code java -jar headroom-agent.jar}, one class each with
 * {@code static int run(String[] args, PrintStream out, PrintStream err)}: {@code report} (this JVM's or,
 * with {@code --pid}, another JVM's budget as text or JSON; with {@code --watch}, or as {@code top}, redrawn
 * live by {@code WatchCommand} on a {@code WatchScreen}), {@code attach} (start Headroom in a running
 * JVM) and {@code help}. They run on the CLI's main thread and start no sampler in the CLI's own JVM.
 */
package dev.headroom.agent.cli;
