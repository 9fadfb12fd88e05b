package dev.headroom.internal.prometheus;

import dev.headroom.Budget;
import dev.headroom.HeadroomConfig;
import dev.headroom.PressureLevel;
import dev.headroom.internal.config.PasswordHash;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.metrics.PrometheusText;
import dev.headroom.internal.runtime.HeadroomRuntime;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The {@code prometheus=host:port} endpoint: {@code GET /metrics} renders the latest budget through
 * {@link PrometheusText}, i.e. the same {@code MeterCatalog} the Micrometer binding registers, so the
 * names are the same by construction. Served by {@link Responder}, a small HTTP/1.1 server on
 * non-blocking sockets with per-connection deadlines, optionally over TLS and behind basic or bearer
 * authentication ({@link Access}); no dependency.
 *
 * <p>It never samples: it serves the budget the sampler published last (a scrape costs at most one
 * rendering, shared by every scrape of the same budget, never a cgroup read). Its threads are
 * daemons, so it never keeps the application alive. A failure to listen (port taken, unknown host)
 * or to load its key store or secrets is reported once and the rest of Headroom carries on; the
 * endpoint then stays off rather than serve with less protection than configured.
 */
public final class PrometheusEndpoint implements HeadroomRuntime.Publisher, AutoCloseable {
    /** The one path served. */
    public static final String PATH = "/metrics";
    private static final String NOT_FOUND = "Headroom serves only GET /metrics";
    /** Secret files are one short line; anything larger is not one. */
    private static final long MAX_SECRET_FILE_BYTES = 64 * 1024;

    private final Supplier<Budget> latest;
    private final Diagnostics diagnostics;
    private final Access access;
    private volatile Responder responder;
    /** The last page rendered and the budget it shows: scrapes of one budget share one rendering. */
    private volatile Page page;

    private record Page(Budget budget, byte[] bytes) {
    }

    private PrometheusEndpoint(Supplier<Budget> latest, Diagnostics diagnostics, Access access) {
        this.latest = latest;
        this.diagnostics = diagnostics;
        this.access = access;
    }

    /**
     * Listens where {@code config.prometheus()} says, with its TLS and authentication options; empty
     * when the option is off or, after one {@code [headroom]} line naming what and why, when it
     * cannot start as configured.
     */
    public static Optional<PrometheusEndpoint> start(HeadroomConfig config, Supplier<Budget> latest, Diagnostics diagnostics) {
        if (config.prometheus().isEmpty()) {
            return Optional.empty();
        }
        InetSocketAddress address = config.prometheus().get();
        SSLContext tls;
        Access access;
        try {
            tls = config.prometheusTlsKeyStore().isPresent()
                    ? tls(config.prometheusTlsKeyStore().get(), config.prometheusTlsKeyStorePasswordFile().orElse(null))
                    : null;
            access = access(config);
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            diagnostics.once("prometheus:protection", "Prometheus endpoint not started: " + describeSafely(e)
                    + " (it stays off rather than serve with less protection than configured; Headroom runs on without it)");
            return Optional.empty();
        }
        return start(address, tls, access, Responder.Limits.DEFAULTS, latest, diagnostics);
    }

    /** Plain HTTP with no authentication on {@code address}; see {@link #start(HeadroomConfig, Supplier, Diagnostics)}. */
    public static Optional<PrometheusEndpoint> start(InetSocketAddress address, Supplier<Budget> latest, Diagnostics diagnostics) {
        return start(address, null, Access.open(), Responder.Limits.DEFAULTS, latest, diagnostics);
    }

    static Optional<PrometheusEndpoint> start(InetSocketAddress address, SSLContext tls, Access access, Responder.Limits limits,
                                              Supplier<Budget> latest, Diagnostics diagnostics) {
        String where = address.getHostString() + ":" + address.getPort();
        InetSocketAddress bind = address.isUnresolved() ? new InetSocketAddress(address.getHostString(), address.getPort()) : address;
        if (bind.isUnresolved()) {
            diagnostics.once("prometheus:resolve", "Prometheus endpoint not started: host '" + address.getHostString()
                    + "' of prometheus=" + where + " does not resolve (use an address of this machine, or :PORT for all interfaces)");
            return Optional.empty();
        }
        PrometheusEndpoint endpoint = new PrometheusEndpoint(latest, diagnostics, access);
        try {
            endpoint.responder = Responder.start(bind, tls, endpoint::handle, limits, diagnostics);
        } catch (IOException | RuntimeException e) {
            diagnostics.once("prometheus:bind", "Prometheus endpoint not started: cannot listen on " + where + ": "
                    + Diagnostics.describe(e) + " (choose another port with prometheus=host:port; Headroom runs on without it)");
            return Optional.empty();
        }
        InetSocketAddress bound = endpoint.address();
        boolean everywhere = bound.getAddress() != null && bound.getAddress().isAnyLocalAddress();
        diagnostics.line("Prometheus endpoint on " + (tls != null ? "https" : "http") + "://"
                + hostForUrl(everywhere ? address.getHostString() : bound.getAddress().getHostAddress()) + ":" + bound.getPort() + PATH
                + " (" + access.describe() + (everywhere ? "; every interface" : "") + ")");
        return Optional.of(endpoint);
    }

    /** Where it listens (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return responder.address();
    }

    /** Nothing to do per sample: a scrape reads the latest budget when it comes. */
    @Override
    public void budget(Budget budget) {
    }

    @Override
    public void levelChanged(PressureLevel previous, PressureLevel current, Budget budget) {
    }

    /** Stops listening and closes every connection; called when Headroom closes. */
    @Override
    public void close() {
        responder.close();
    }

    /** On a worker thread: authentication first (an unauthenticated client learns nothing), then routing. */
    private Responder.Response handle(RequestHead request) {
        switch (access.check(request.authorization())) {
            case DENIED -> {
                return Responder.Response.text(401, "authentication required", access.challenges().toArray(new String[0]));
            }
            case THROTTLED -> {
                return Responder.Response.text(429, "too many password checks; retry later", "Retry-After: 1");
            }
            default -> {
            }
        }
        if (!PATH.equals(request.path())) {
            return Responder.Response.text(404, NOT_FOUND);
        }
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return Responder.Response.text(405, NOT_FOUND, "Allow: GET, HEAD");
        }
        Budget budget = latest.get();
        if (budget == null) {
            return Responder.Response.text(503, "Headroom has not taken its first sample yet");
        }
        Page p = page;
        if (p == null || p.budget() != budget) {
            try {
                p = new Page(budget, PrometheusText.render(budget).getBytes(StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                diagnostics.failure("Prometheus endpoint rendering", e);
                return Responder.Response.text(500, "rendering failed: " + Diagnostics.describe(e));
            }
            page = p;
        }
        return new Responder.Response(200, PrometheusText.CONTENT_TYPE, p.bytes(), List.of());
    }

    /** A server-side TLS context from a PKCS12 or JKS key store (the type is detected from the file). */
    static SSLContext tls(Path keyStore, Path passwordFile) throws IOException, GeneralSecurityException {
        char[] password = passwordFile == null ? new char[0] : new String(readSecret(passwordFile, "key store password file"),
                StandardCharsets.UTF_8).toCharArray();
        try {
            KeyStore ks;
            try {
                // KeyStore.getInstance(File, char[]) (Java 9+) recognises PKCS12 and JKS by their content.
                ks = KeyStore.getInstance(keyStore.toFile(), password);
            } catch (IOException | GeneralSecurityException e) {
                throw new IOException("cannot load the key store " + keyStore + " (prometheusTlsKeyStore): " + e.getMessage()
                        + (passwordFile == null ? "; no prometheusTlsKeyStorePasswordFile was given" : ""), e);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            if (kmf.getKeyManagers().length == 0 || !hasKey(ks)) {
                throw new IOException("the key store " + keyStore + " holds no private key");
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private static boolean hasKey(KeyStore ks) throws GeneralSecurityException {
        for (String alias : Collections.list(ks.aliases())) {
            if (ks.isKeyEntry(alias)) {
                return true;
            }
        }
        return false;
    }

    private static Access access(HeadroomConfig config) throws IOException {
        PasswordHash hash = config.prometheusBasicAuthPasswordHash().map(PasswordHash::parse).orElse(null);
        byte[] token = null;
        if (config.prometheusBearerTokenFile().isPresent()) {
            token = readSecret(config.prometheusBearerTokenFile().get(), "bearer token file");
            if (token.length == 0) {
                throw new IOException("the bearer token file " + config.prometheusBearerTokenFile().get() + " is empty");
            }
        }
        return Access.of(config.prometheusBasicAuthUser().orElse(null), hash, token);
    }

    /** The first line of a small regular file, without its line end; the content never appears in a message. */
    private static byte[] readSecret(Path file, String what) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("the " + what + " " + file + " is not a readable regular file");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) MAX_SECRET_FILE_BYTES + 1);
        }
        if (bytes.length > MAX_SECRET_FILE_BYTES) {
            throw new IOException("the " + what + " " + file + " is larger than " + MAX_SECRET_FILE_BYTES + " bytes");
        }
        int end = 0;
        while (end < bytes.length && bytes[end] != '\n' && bytes[end] != '\r') {
            end++;
        }
        byte[] line = Arrays.copyOf(bytes, end);
        Arrays.fill(bytes, (byte) 0);
        return line;
    }

    /** The exception's own message, which names files and reasons but never a secret's content. */
    private static String describeSafely(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getName();
    }

    private static String hostForUrl(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }
}
