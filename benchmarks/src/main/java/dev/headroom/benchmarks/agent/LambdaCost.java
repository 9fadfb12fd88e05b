package dev.headroom.benchmarks.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What linking a lambda costs a JVM's resident memory, against the same code as anonymous classes:
 * the figure behind Headroom's rule that its start path links no lambda (docs/limits.md). Each run
 * starts three bare JVMs side by side: one that runs 50 distinct lambdas once, one that runs 50
 * anonymous classes doing the same, one that runs neither; VmRSS at each of {@code --rssAt} seconds,
 * medians of {@code --runs}; then the same with a 128 MiB heap pre-touched (what is left is metaspace
 * and the JDK's own linkage, not the heap pages the linking allocated into).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.headroom.benchmarks.agent.LambdaCost [--runs 5] [--rssAt 5]
 * </pre>
 * A lambda's first call spins a hidden class through {@code LambdaMetafactory} and links its call site
 * with method handles; an anonymous class is an ordinary class file, loaded and verified.
 */
public final class LambdaCost {
    private LambdaCost() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Procs.parse(argv);
        int runs = Integer.parseInt(Procs.arg(args, "runs", "5"));
        int[] rssAt = AgentOverhead.seconds(Procs.arg(args, "rssAt", "5"));
        System.out.println("JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + "\n");
        table("idle heap", runs, rssAt, List.of());
        table("128 MiB heap pre-touched", runs, rssAt, List.of("-Xms128m", "-Xmx128m", "-XX:+AlwaysPreTouch"));
    }

    private static void table(String title, int runs, int[] rssAt, List<String> jvmArgs) throws Exception {
        String hold = Integer.toString(rssAt[rssAt.length - 1] + 3);
        String[] modes = {"none", "lambdas", "classes"};
        List<List<String>> commands = new ArrayList<>();
        for (String mode : modes) {
            List<String> c = new ArrayList<>(List.of(Procs.java().toString()));
            c.addAll(jvmArgs);
            c.addAll(List.of("-cp", java.nio.file.Path.of(System.getProperty("java.class.path")).toAbsolutePath().toString(),
                    Child.class.getName(), mode, hold));
            commands.add(c);
        }
        List<List<List<Double>>> rss = AgentOverhead.rssRounds(commands, runs, rssAt);
        AgentOverhead.printHeader(title + ", median VmRSS of " + runs, rssAt);
        String[] rows = {"50 lambdas - neither", "50 anonymous classes - neither"};
        for (int r = 0; r < rows.length; r++) {
            StringBuilder row = new StringBuilder("| " + rows[r] + " |");
            for (int t = 0; t < rssAt.length; t++) {
                double kib = (Procs.median(rss.get(r + 1).get(t)) - Procs.median(rss.get(0).get(t))) * 1024;
                row.append(" ").append(Math.round(kib)).append(" KiB |");
            }
            System.out.println(row);
        }
        System.out.println();
    }

    /** The measured JVM: links what it is told to, runs each once, then waits to be measured. */
    public static final class Child {
        static long sink;

        public static void main(String[] args) throws Exception {
            Runnable[] work = switch (args[0]) {
                case "lambdas" -> lambdas();
                case "classes" -> classes();
                default -> new Runnable[0];
            };
            for (Runnable r : work) {
                r.run();
            }
            System.out.println(sink);
            Thread.sleep(Long.parseLong(args[1]) * 1000);
        }

        /** Fifty call sites, each its own hidden class when first run. */
        static Runnable[] lambdas() {
            return new Runnable[] {
                () -> sink += 1, () -> sink += 2, () -> sink += 3, () -> sink += 4, () -> sink += 5,
                () -> sink += 6, () -> sink += 7, () -> sink += 8, () -> sink += 9, () -> sink += 10,
                () -> sink += 11, () -> sink += 12, () -> sink += 13, () -> sink += 14, () -> sink += 15,
                () -> sink += 16, () -> sink += 17, () -> sink += 18, () -> sink += 19, () -> sink += 20,
                () -> sink += 21, () -> sink += 22, () -> sink += 23, () -> sink += 24, () -> sink += 25,
                () -> sink += 26, () -> sink += 27, () -> sink += 28, () -> sink += 29, () -> sink += 30,
                () -> sink += 31, () -> sink += 32, () -> sink += 33, () -> sink += 34, () -> sink += 35,
                () -> sink += 36, () -> sink += 37, () -> sink += 38, () -> sink += 39, () -> sink += 40,
                () -> sink += 41, () -> sink += 42, () -> sink += 43, () -> sink += 44, () -> sink += 45,
                () -> sink += 46, () -> sink += 47, () -> sink += 48, () -> sink += 49, () -> sink += 50
            };
        }

        /** The same fifty bodies as anonymous classes. */
        static Runnable[] classes() {
            return new Runnable[] {
                new Runnable() { public void run() { sink += 1; } },
                new Runnable() { public void run() { sink += 2; } },
                new Runnable() { public void run() { sink += 3; } },
                new Runnable() { public void run() { sink += 4; } },
                new Runnable() { public void run() { sink += 5; } },
                new Runnable() { public void run() { sink += 6; } },
                new Runnable() { public void run() { sink += 7; } },
                new Runnable() { public void run() { sink += 8; } },
                new Runnable() { public void run() { sink += 9; } },
                new Runnable() { public void run() { sink += 10; } },
                new Runnable() { public void run() { sink += 11; } },
                new Runnable() { public void run() { sink += 12; } },
                new Runnable() { public void run() { sink += 13; } },
                new Runnable() { public void run() { sink += 14; } },
                new Runnable() { public void run() { sink += 15; } },
                new Runnable() { public void run() { sink += 16; } },
                new Runnable() { public void run() { sink += 17; } },
                new Runnable() { public void run() { sink += 18; } },
                new Runnable() { public void run() { sink += 19; } },
                new Runnable() { public void run() { sink += 20; } },
                new Runnable() { public void run() { sink += 21; } },
                new Runnable() { public void run() { sink += 22; } },
                new Runnable() { public void run() { sink += 23; } },
                new Runnable() { public void run() { sink += 24; } },
                new Runnable() { public void run() { sink += 25; } },
                new Runnable() { public void run() { sink += 26; } },
                new Runnable() { public void run() { sink += 27; } },
                new Runnable() { public void run() { sink += 28; } },
                new Runnable() { public void run() { sink += 29; } },
                new Runnable() { public void run() { sink += 30; } },
                new Runnable() { public void run() { sink += 31; } },
                new Runnable() { public void run() { sink += 32; } },
                new Runnable() { public void run() { sink += 33; } },
                new Runnable() { public void run() { sink += 34; } },
                new Runnable() { public void run() { sink += 35; } },
                new Runnable() { public void run() { sink += 36; } },
                new Runnable() { public void run() { sink += 37; } },
                new Runnable() { public void run() { sink += 38; } },
                new Runnable() { public void run() { sink += 39; } },
                new Runnable() { public void run() { sink += 40; } },
                new Runnable() { public void run() { sink += 41; } },
                new Runnable() { public void run() { sink += 42; } },
                new Runnable() { public void run() { sink += 43; } },
                new Runnable() { public void run() { sink += 44; } },
                new Runnable() { public void run() { sink += 45; } },
                new Runnable() { public void run() { sink += 46; } },
                new Runnable() { public void run() { sink += 47; } },
                new Runnable() { public void run() { sink += 48; } },
                new Runnable() { public void run() { sink += 49; } },
                new Runnable() { public void run() { sink += 50; } }
            };
        }
    }
}
