package dev.headroom.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real JVM started for a test, optionally inside a {@link MemoryCgroup}: a shell writes its own pid
 * to the cgroup's {@code cgroup.procs} and then execs the JVM, so every page the JVM touches is
 * charged to the cgroup from its first instruction. Output is kept in memory (for assertions) and in
 * files under {@code target/forked/} (for a person reading a failure).
 */
public final class ForkedJvm implements AutoCloseable {
    private final Process process;
    private final List<String> stdout = new ArrayList<>();
    private final List<String> stderr = new ArrayList<>();
    private final Thread stdoutPump;
    private final Thread stderrPump;
    private final List<String> command;

    private ForkedJvm(Process process, Path outputDir, List<String> command) {
        this.process = process;
        this.command = command;
        this.stdoutPump = pump(process.getInputStream(), stdout, outputDir.resolve("stdout.txt"), "stdout");
        this.stderrPump = pump(process.getErrorStream(), stderr, outputDir.resolve("stderr.txt"), "stderr");
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** A copy of what the JVM has printed on stdout so far. */
    public List<String> stdout() {
        synchronized (stdout) {
            return List.copyOf(stdout);
        }
    }

    public List<String> stderr() {
        synchronized (stderr) {
            return List.copyOf(stderr);
        }
    }

    /** Waits until a stdout line matches, the process ends, or the timeout passes. */
    public Optional<String> awaitStdout(Predicate<String> match, Duration timeout) {
        return await(stdout, match, timeout);
    }

    public Optional<String> awaitStderr(Predicate<String> match, Duration timeout) {
        return await(stderr, match, timeout);
    }

    /** Waits for the JVM to end; kills it (and reports {@code timedOut}) if it does not in time. */
    public Result waitFor(Duration timeout) {
        boolean timedOut = false;
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                timedOut = true;
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            stdoutPump.join(5_000);
            stderrPump.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Result(process.isAlive() ? -1 : process.exitValue(), timedOut, stdout(), stderr());
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "ForkedJvm" + command;
    }

    private <T> Optional<String> await(List<String> lines, Predicate<String> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (true) {
            synchronized (lines) {
                for (; seen < lines.size(); seen++) {
                    if (match.test(lines.get(seen))) {
                        return Optional.of(lines.get(seen));
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && pumpsDone())) {
                    return Optional.empty();
                }
                try {
                    lines.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 100)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.empty();
                }
            }
        }
    }

    private boolean pumpsDone() {
        return !stdoutPump.isAlive() && !stderrPump.isAlive();
    }

    private static Thread pump(InputStream in, List<String> sink, Path file, String label) {
        Thread t = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    Files.writeString(file, line + "\n", StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    synchronized (sink) {
                        sink.add(line);
                        sink.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // the process went away
            } finally {
                synchronized (sink) {
                    sink.notifyAll();
                }
            }
        }, "forked-" + label);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** How a forked JVM ended. {@code exitCode} 137 is SIGKILL (128 + 9): the OOM killer's mark. */
    public record Result(int exitCode, boolean timedOut, List<String> stdout, List<String> stderr) {
        public boolean killedBySigkill() {
            return exitCode == 137;
        }

        /** Everything the JVM printed, for assertion messages. */
        public String describe() {
            return "exit " + exitCode + (timedOut ? " (timed out)" : "")
                    + "\n--- stdout\n" + String.join("\n", tail(stdout))
                    + "\n--- stderr\n" + String.join("\n", tail(stderr));
        }

        private static List<String> tail(List<String> lines) {
            return lines.size() <= 60 ? lines : lines.subList(lines.size() - 60, lines.size());
        }
    }

    public static final class Builder {
        private final String name;
        private Path javaHome = Paths.get(System.getProperty("java.home"));
        private final List<String> jvmArgs = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private String classpath = System.getProperty("java.class.path");
        private String mainClass;
        private Path jar;
        private MemoryCgroup cgroup;
        private Path workDir;

        private Builder(String name) {
            this.name = name.replaceAll("[^A-Za-z0-9_.-]", "_");
        }

        /** The JDK to run; defaults to the one running the tests (CI runs the suite on 17 and on 25). */
        public Builder javaHome(Path home) {
            this.javaHome = home;
            return this;
        }

        public Builder jvmArgs(String... more) {
            jvmArgs.addAll(List.of(more));
            return this;
        }

        public Builder jvmArgs(List<String> more) {
            jvmArgs.addAll(more);
            return this;
        }

        /** {@code -javaagent:jar=options} (options may be null). */
        public Builder agent(Path agentJar, String options) {
            jvmArgs.add("-javaagent:" + agentJar.toAbsolutePath() + (options == null || options.isEmpty() ? "" : "=" + options));
            return this;
        }

        public Builder classpath(String cp) {
            this.classpath = cp;
            return this;
        }

        /** Runs this class from the test classpath. */
        public Builder mainClass(Class<?> main) {
            return mainClass(main.getName());
        }

        public Builder mainClass(String main) {
            this.mainClass = main;
            this.jar = null;
            return this;
        }

        /** Runs {@code -jar jar}. */
        public Builder jar(Path executableJar) {
            this.jar = executableJar;
            this.mainClass = null;
            return this;
        }

        public Builder args(String... more) {
            args.addAll(List.of(more));
            return this;
        }

        public Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        /** Start inside this cgroup (joined before the JVM's first instruction). */
        public Builder in(MemoryCgroup memoryCgroup) {
            this.cgroup = memoryCgroup;
            return this;
        }

        public Builder workDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        public ForkedJvm start() throws IOException {
            if (mainClass == null && jar == null) {
                throw new IllegalStateException("mainClass or jar is required");
            }
            Path outputDir = Paths.get("target", "forked", name + "-" + System.nanoTime());
            Files.createDirectories(outputDir);
            List<String> java = new ArrayList<>();
            java.add(javaHome.resolve("bin").resolve("java").toString());
            java.addAll(jvmArgs);
            if (jar != null) {
                java.add("-jar");
                java.add(jar.toAbsolutePath().toString());
            } else {
                java.add("-cp");
                java.add(classpath);
                java.add(mainClass);
            }
            java.addAll(args);
            List<String> command = new ArrayList<>();
            if (cgroup != null) {
                // $0 is the procs file, "$@" the JVM command: join, then become the JVM (same pid).
                command.add("/bin/sh");
                command.add("-c");
                Path pids = cgroup.pidsProcsFile();
                if (pids == null) {
                    command.add("echo $$ > \"$0\" && exec \"$@\"");
                    command.add(cgroup.procsFile().toString());
                } else {
                    // A v1 pids cap lives in its own hierarchy: join both.
                    command.add("echo $$ > \"$0\" && echo $$ > \"$1\" && shift && exec \"$@\"");
                    command.add(cgroup.procsFile().toString());
                    command.add(pids.toString());
                }
            }
            command.addAll(java);
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            pb.environment().remove("JDK_JAVA_OPTIONS");
            pb.environment().putAll(env);
            if (workDir != null) {
                pb.directory(workDir.toFile());
            }
            Files.writeString(outputDir.resolve("command.txt"), String.join(" ", command) + "\n");
            try {
                return new ForkedJvm(pb.start(), outputDir, command);
            } catch (IOException e) {
                throw new UncheckedIOException("could not start " + command, e);
            }
        }
    }
}
