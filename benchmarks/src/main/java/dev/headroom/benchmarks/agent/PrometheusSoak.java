package dev.headroom.benchmarks.agent;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Does the agent, with its Prometheus endpoint scraped every second, hold its memory flat over a
 * long run? Starts an idle application ({@code leaky-app --max 0}: it leaks nothing) under the agent
 * with {@code prometheus=127.0.0.1:PORT}, scrapes it every {@code --scrapeMillis} (keep-alive, as
 * Prometheus does, and every tenth scrape on a fresh connection), and every {@code --sampleSeconds}
 * records the process's VmRSS, its live heap and Headroom's own share of it from
 * {@code jcmd PID GC.class_histogram} (live objects, after the full collection that command makes;
 * Headroom's share is the classes under {@code dev.headroom}), its threads and file descriptors.
 * Beside it runs a control: the same application and JVM options under an empty agent, sampled the
 * same way (so it gets the same full collections), and both resident sets are split into anonymous
 * and file-backed pages ({@code RssAnon}, {@code RssFile}): growth the control shares is the JVM's, not
 * Headroom's. At the end both processes' C heaps are trimmed ({@code jcmd PID System.trim_native_heap})
 * and their VmRSS read again: what comes back was freed memory the allocator kept, not a leak.
 * Prints a table and, per figure, the least-squares slope over the second half of the run (the first
 * half includes warm-up: JIT, first-use class loading) and a verdict: flat or growing.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.headroom.benchmarks.agent.PrometheusSoak \
 *      [--minutes 60] [--sampleSeconds 60] [--scrapeMillis 1000] \
 *      [--agent agent/target/headroom-agent.jar] [--app samples/leaky-app/target/leaky-app.jar] \
 *      [--options ""] [--jvmArgs "-Xmx256m"]
 * </pre>
 * Not a timing-critical run: other load on the machine does not change what it measures.
 */
public final class PrometheusSoak {
    /** Growth over an hour below these is "flat": a leak of one object per scrape would be far above them. */
    private static final double FLAT_LIVE_HEAP_BYTES_PER_HOUR = 512 * 1024;
    private static final double FLAT_HEADROOM_BYTES_PER_HOUR = 64 * 1024;
    private static final double FLAT_RSS_BYTES_PER_HOUR = 8 * 1024 * 1024;
    private static final double FLAT_COUNT_PER_HOUR = 2;

    private PrometheusSoak() {
    }

    private record Sample(double minutes, long scrapes, long failures, long rss, long liveHeap, long headroomBytes,
                          long headroomInstances, long threads, long fds, long rssAnon, long rssFile,
                          long controlRss, long controlAnon) {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Procs.parse(argv);
        Path agent = Path.of(Procs.arg(args, "agent", "agent/target/headroom-agent.jar"));
        Path app = Path.of(Procs.arg(args, "app", "samples/leaky-app/target/leaky-app.jar"));
        double minutes = Double.parseDouble(Procs.arg(args, "minutes", "60"));
        int sampleSeconds = Integer.parseInt(Procs.arg(args, "sampleSeconds", "60"));
        long scrapeMillis = Long.parseLong(Procs.arg(args, "scrapeMillis", "1000"));
        String extra = Procs.arg(args, "options", "");
        List<String> jvmArgs = List.of(Procs.arg(args, "jvmArgs", "-Xmx256m").split(" "));
        if (!Files.isRegularFile(agent) || !Files.isRegularFile(app)) {
            throw new IllegalArgumentException("build first: ./mvnw -B -q package -DskipTests (" + agent + ", " + app + ")");
        }
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        String options = "prometheus=127.0.0.1:" + port + (extra.isEmpty() ? "" : "," + extra);
        long holdSeconds = (long) (minutes * 60) + 120;
        List<String> command = Procs.command(agent, options, jvmArgs, app, "--max", "0", "--hold", Long.toString(holdSeconds));
        Path log = Files.createTempFile("prometheus-soak", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        List<String> controlCommand = Procs.command(AgentOverhead.emptyAgentJar(), "", jvmArgs, app, "--max", "0", "--hold",
                Long.toString(holdSeconds));
        Process control = new ProcessBuilder(controlCommand).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        System.out.println("JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + "; "
                + Runtime.getRuntime().availableProcessors() + " CPUs; app pid " + p.pid() + "; options " + options
                + "; jvmArgs " + jvmArgs + "; " + minutes + " min, a sample every " + sampleSeconds + " s, a scrape every "
                + scrapeMillis + " ms; app output in " + log + "; control (empty agent) pid " + control.pid());
        Scraper scraper = new Scraper(port, scrapeMillis);
        List<Sample> samples = new ArrayList<>();
        try {
            awaitFirstScrape(port, p);
            Thread t = new Thread(scraper, "soak-scraper");
            t.setDaemon(true);
            t.start();
            long start = System.nanoTime();
            long end = start + (long) (minutes * 60e9);
            System.out.println();
            System.out.println("| min | scrapes ok | failed | VmRSS MiB | anon MiB | file MiB | live heap KiB | dev.headroom KiB"
                    + " | dev.headroom objects | threads | fds | control VmRSS MiB | control anon MiB |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            for (long next = start; next - end <= 0; next += TimeUnit.SECONDS.toNanos(sampleSeconds)) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                if (!p.isAlive() || !control.isAlive()) {
                    throw new IllegalStateException("the application or its control ended early; see " + log);
                }
                Sample s = sample(p.pid(), control.pid(), (System.nanoTime() - start) / 60e9, scraper);
                samples.add(s);
                System.out.printf(Locale.ROOT, "| %.1f | %d | %d | %.1f | %.1f | %.1f | %d | %.1f | %d | %d | %d | %.1f | %.1f |%n",
                        s.minutes(), s.scrapes(), s.failures(), mib(s.rss()), mib(s.rssAnon()), mib(s.rssFile()),
                        s.liveHeap() / 1024, s.headroomBytes() / 1024.0, s.headroomInstances(), s.threads(), s.fds(),
                        mib(s.controlRss()), mib(s.controlAnon()));
            }
            verdict(samples, scraper);
            trimAndReport("Headroom", p.pid());
            trimAndReport("control", control.pid());
        } finally {
            scraper.stop = true;
            for (Process each : List.of(p, control)) {
                each.destroy();
                if (!each.waitFor(10, TimeUnit.SECONDS)) {
                    each.destroyForcibly().waitFor();
                }
            }
        }
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }

    /** VmRSS before and after the C heap is trimmed: the difference is freed memory glibc kept, not a leak. */
    private static void trimAndReport(String who, long pid) throws IOException, InterruptedException {
        long before = Procs.rssBytes(pid);
        String out = jcmd(pid, "System.trim_native_heap");
        long after = Procs.rssBytes(pid);
        System.out.printf(Locale.ROOT, "%s: VmRSS %.1f MiB, after System.trim_native_heap %.1f MiB (%s)%n", who, mib(before),
                mib(after), out.lines().filter(l -> !l.isBlank() && !l.endsWith(":")).reduce((a, b) -> b).orElse("").trim());
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor();
        return out;
    }

    /** A {@code /proc/PID/status} field in bytes (its values are in kB). */
    private static long statusBytes(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.ISO_8859_1)) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no " + field + " for pid " + pid);
    }

    /** Waits (at most a minute) until the endpoint serves its first page, so warm-up is not counted as failures. */
    private static void awaitFirstScrape(int port, Process p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (System.nanoTime() < deadline && p.isAlive()) {
            if (PrometheusProbe.scrape(port, 5000).equals("200")) {
                return;
            }
            Thread.sleep(200); // not serving yet
        }
        throw new IllegalStateException("the endpoint never served a page on port " + port);
    }

    private static Sample sample(long pid, long controlPid, double minutes, Scraper scraper) throws IOException, InterruptedException {
        long rss = Procs.rssBytes(pid);
        long anon = statusBytes(pid, "RssAnon");
        long file = statusBytes(pid, "RssFile");
        long controlRss = Procs.rssBytes(controlPid);
        long controlAnon = statusBytes(controlPid, "RssAnon");
        jcmd(controlPid, "GC.class_histogram"); // the same full collection as the measured process gets
        long live = 0;
        long bytes = 0;
        long instances = 0;
        String out = jcmd(pid, "GC.class_histogram");
        for (String line : out.split("\n")) {
            // "   1:          1234         567890  java.lang.String (java.base@17)"; "Total   12345   6789012"
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && f[0].equals("Total")) {
                live = Long.parseLong(f[2]);
            } else if (f.length >= 4 && f[0].endsWith(":") && f[3].replace("[L", "").startsWith("dev.headroom")) {
                instances += Long.parseLong(f[1]);
                bytes += Long.parseLong(f[2]);
            }
        }
        if (live == 0) {
            throw new IOException("no class histogram from jcmd: " + out);
        }
        long threads = 0;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("Threads:")) {
                threads = Long.parseLong(line.substring(8).trim());
            }
        }
        long fds;
        try (var dir = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            fds = dir.count();
        }
        return new Sample(minutes, scraper.ok.get(), scraper.failed.get(), rss, live, bytes, instances, threads, fds, anon, file,
                controlRss, controlAnon);
    }

    private static void verdict(List<Sample> samples, Scraper scraper) {
        System.out.println();
        System.out.println("scrapes: " + scraper.ok.get() + " ok, " + scraper.failed.get() + " failed"
                + (scraper.lastFailure == null ? "" : " (last: " + scraper.lastFailure + ")") + "; slowest "
                + String.format(Locale.ROOT, "%.1f", scraper.slowestNanos / 1e6) + " ms");
        if (samples.size() < 4) {
            System.out.println("too few samples for a verdict (" + samples.size() + ")");
            return;
        }
        List<Sample> late = samples.subList(samples.size() / 2, samples.size());
        System.out.println("slopes over the second half (" + String.format(Locale.ROOT, "%.1f", late.get(0).minutes()) + " to "
                + String.format(Locale.ROOT, "%.1f", late.get(late.size() - 1).minutes()) + " min), per hour:");
        line("live heap", late, Sample::liveHeap, FLAT_LIVE_HEAP_BYTES_PER_HOUR, true);
        line("dev.headroom bytes", late, Sample::headroomBytes, FLAT_HEADROOM_BYTES_PER_HOUR, true);
        line("dev.headroom objects", late, Sample::headroomInstances, FLAT_COUNT_PER_HOUR * 50, false);
        line("VmRSS", late, Sample::rss, FLAT_RSS_BYTES_PER_HOUR, true);
        line("  of it anonymous", late, Sample::rssAnon, FLAT_RSS_BYTES_PER_HOUR, true);
        line("  of it file-backed", late, Sample::rssFile, FLAT_RSS_BYTES_PER_HOUR, true);
        line("control VmRSS (empty agent)", late, Sample::controlRss, FLAT_RSS_BYTES_PER_HOUR, true);
        line("control anonymous", late, Sample::controlAnon, FLAT_RSS_BYTES_PER_HOUR, true);
        line("threads", late, Sample::threads, FLAT_COUNT_PER_HOUR, false);
        line("file descriptors", late, Sample::fds, FLAT_COUNT_PER_HOUR, false);
    }

    private static void line(String what, List<Sample> late, java.util.function.ToLongFunction<Sample> f, double flatPerHour, boolean bytes) {
        double n = late.size();
        double mx = 0;
        double my = 0;
        for (Sample s : late) {
            mx += s.minutes() / n;
            my += f.applyAsLong(s) / n;
        }
        double sxy = 0;
        double sxx = 0;
        for (Sample s : late) {
            sxy += (s.minutes() - mx) * (f.applyAsLong(s) - my);
            sxx += (s.minutes() - mx) * (s.minutes() - mx);
        }
        double perHour = sxx == 0 ? 0 : sxy / sxx * 60;
        String shown = bytes ? String.format(Locale.ROOT, "%+.1f KiB/h (mean %.1f KiB)", perHour / 1024, my / 1024)
                : String.format(Locale.ROOT, "%+.1f /h (mean %.1f)", perHour, my);
        System.out.println("  " + what + ": " + shown + " -> " + (perHour > flatPerHour ? "GROWING" : "flat")
                + " (flat below " + (bytes ? String.format(Locale.ROOT, "%.0f KiB/h", flatPerHour / 1024) : String.format(Locale.ROOT, "%.0f/h", flatPerHour)) + ")");
    }

    /** Scrapes like Prometheus: a kept-alive connection, one GET per period; every tenth on a fresh connection. */
    private static final class Scraper implements Runnable {
        private final int port;
        private final long periodMillis;
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        final AtomicLong ok = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        volatile String lastFailure;
        volatile long slowestNanos;
        volatile boolean stop;

        Scraper(int port, long periodMillis) {
            this.port = port;
            this.periodMillis = periodMillis;
        }

        @Override
        public void run() {
            HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build();
            for (long i = 0; !stop; i++) {
                long t0 = System.nanoTime();
                try {
                    String result;
                    if (i % 10 == 9) {
                        result = PrometheusProbe.scrape(port, 10_000);
                    } else {
                        HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
                        result = r.statusCode() == 200 && r.body().contains("headroom_") ? "200" : "status " + r.statusCode();
                    }
                    if (result.equals("200")) {
                        ok.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        lastFailure = result;
                    }
                } catch (IOException e) {
                    failed.incrementAndGet();
                    lastFailure = e.toString();
                } catch (InterruptedException e) {
                    return;
                }
                long took = System.nanoTime() - t0;
                slowestNanos = Math.max(slowestNanos, took);
                try {
                    Thread.sleep(Math.max(0, periodMillis - took / 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
