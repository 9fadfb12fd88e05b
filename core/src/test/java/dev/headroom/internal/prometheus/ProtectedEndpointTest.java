package dev.headroom.internal.prometheus;

import dev.headroom.HeadroomConfig;
import dev.headroom.internal.config.PasswordHash;
import dev.headroom.internal.events.Diagnostics;
import dev.headroom.internal.metrics.PrometheusText;
import dev.headroom.internal.metrics.SampleBudgets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TLS with a key store made by the running JDK's keytool, basic and bearer authentication, secrets kept out of messages. */
class ProtectedEndpointTest {
    /** PBKDF2-HMAC-SHA256 of "s3cret pass", 10000 iterations, salt 00..07, computed by Python's hashlib.pbkdf2_hmac. */
    static final String HASH = "pbkdf2-sha256:10000:0001020304050607:dcf95f1abf81fab98522fc2504a0c0e4d12da382608c3b665883478f9fd2ea8e";
    private static final String PASSWORD = "s3cret pass";
    private static final String STORE_PASSWORD = "store-pw-1234";

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Diagnostics diagnostics = new Diagnostics(new PrintStream(err, true, StandardCharsets.UTF_8), false);

    @TempDir
    Path dir;

    private PrometheusEndpoint start(String options) {
        HeadroomConfig config = HeadroomConfig.parse("prometheus=127.0.0.1:0" + (options.isEmpty() ? "" : "," + options));
        return PrometheusEndpoint.start(config, SampleBudgets::full, diagnostics).orElseThrow(() -> new AssertionError(stderr()));
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> get(HttpClient client, String scheme, PrometheusEndpoint e, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + e.address().getPort() + "/metrics"))
                .timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void thePythonMadeHashVerifiesInJava() {
        PasswordHash h = PasswordHash.parse(HASH);
        assertTrue(h.matches(PASSWORD.toCharArray()));
        assertFalse(h.matches("s3cret pasS".toCharArray()));
        assertFalse(h.matches(new char[0]));
        assertEquals(HASH, h.toString());
    }

    @Test
    void basicAuthWrongOrMissingCredentialsGet401AndTheRightOnes200() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (PrometheusEndpoint e = start("prometheusBasicAuthUser=prom,prometheusBasicAuthPasswordHash=" + HASH)) {
            HttpResponse<String> none = get(http, "http", e, null);
            assertEquals(401, none.statusCode());
            assertEquals(List.of("Basic realm=\"headroom\", charset=\"UTF-8\""), none.headers().allValues("WWW-Authenticate"));
            assertFalse(none.body().contains("headroom_memory"), "no metrics without credentials");

            HttpResponse<String> ok = get(http, "http", e, basic("prom", PASSWORD));
            assertEquals(200, ok.statusCode());
            assertEquals(PrometheusText.render(SampleBudgets.full()), ok.body());

            for (String wrong : List.of(basic("prom", "s3cret pasS"), basic("Prom", PASSWORD), basic("prom", ""), "Basic !!notbase64",
                    "Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes(StandardCharsets.UTF_8)),
                    "Bearer " + PASSWORD, "Digest x")) {
                int status = get(http, "http", e, wrong).statusCode();
                // 429 when the password check is cooling down: refused all the same, without hashing
                assertTrue(status == 401 || status == 429, wrong + " -> " + status);
            }
            // The right credentials were remembered: no hashing, so no cool-down applies to them.
            assertEquals(200, get(http, "http", e, basic("prom", PASSWORD)).statusCode());
            // Authentication comes before routing: a stranger learns nothing of the paths either.
            assertEquals(401, SlowClientsTest.Scrapes.status(e.address().getPort(), "GET /other HTTP/1.1\r\nHost: x\r\n\r\n"));
        }
        assertTrue(stderr().contains("(basic auth)"), stderr());
        assertFalse(stderr().contains(PASSWORD), "the password never appears");
    }

    @Test
    void guessingIsThrottledSoItCannotBurnTheApplicationsCpu() {
        Access a = Access.of("prom", PasswordHash.parse(HASH), null);
        assertEquals(Access.Verdict.DENIED, a.check(basic("prom", "guess-1")));
        // The next slow check may start only after nine times the last one's duration.
        assertEquals(Access.Verdict.THROTTLED, a.check(basic("prom", "guess-2")));
    }

    @Test
    void bearerTokenFromAFile() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "tok-" + "9f8e7d6c5b4a\n");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (PrometheusEndpoint e = start("prometheusBearerTokenFile=" + token)) {
            HttpResponse<String> none = get(http, "http", e, null);
            assertEquals(401, none.statusCode());
            assertEquals(List.of("Bearer realm=\"headroom\""), none.headers().allValues("WWW-Authenticate"));
            assertEquals(401, get(http, "http", e, "Bearer tok-9f8e7d6c5b4").statusCode());
            assertEquals(401, get(http, "http", e, "Bearer tok-9f8e7d6c5b4a0").statusCode());
            assertEquals(401, get(http, "http", e, basic("tok", "9f8e7d6c5b4a")).statusCode());
            assertEquals(200, get(http, "http", e, "Bearer tok-9f8e7d6c5b4a").statusCode());
            assertEquals(200, get(http, "http", e, "bearer tok-9f8e7d6c5b4a").statusCode(), "the scheme is case-insensitive");
        }
        assertFalse(stderr().contains("9f8e7d6c5b4a"), stderr());
    }

    @ParameterizedTest
    @ValueSource(strings = {"PKCS12", "JKS"})
    void tlsScrapeWithAKeyStoreMadeByKeytool(String type) throws Exception {
        Path store = keyStore(type);
        Path pass = Files.writeString(dir.resolve("store.pass"), STORE_PASSWORD + "\n");
        HttpClient trusting = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trusting(store)).build();
        Path token = Files.writeString(dir.resolve("token"), "tls-token");
        try (PrometheusEndpoint e = start("prometheusTlsKeyStore=" + store + ",prometheusTlsKeyStorePasswordFile=" + pass
                + ",prometheusBearerTokenFile=" + token)) {
            assertEquals(401, get(trusting, "https", e, null).statusCode());
            HttpResponse<String> ok = get(trusting, "https", e, "Bearer tls-token");
            assertEquals(200, ok.statusCode());
            assertEquals(PrometheusText.render(SampleBudgets.full()), ok.body());
            // Several on one kept-alive connection, and a few at once.
            for (int i = 0; i < 5; i++) {
                assertEquals(200, get(trusting, "https", e, "Bearer tls-token").statusCode());
            }
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> many = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                many.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trusting(store)).build()
                        .sendAsync(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + e.address().getPort() + "/metrics"))
                                .header("Authorization", "Bearer tls-token").timeout(Duration.ofSeconds(30)).build(),
                                HttpResponse.BodyHandlers.ofString()));
            }
            for (var f : many) {
                assertEquals(200, f.get(60, TimeUnit.SECONDS).statusCode());
            }
            // Plain HTTP to the TLS port gets no page.
            assertThrows(IOException.class, () -> SlowClientsTest.Scrapes.status(e.address().getPort(),
                    "GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tls-token\r\n\r\n"));
            // A client that does not trust the certificate fails its handshake.
            HttpClient strict = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            assertThrows(IOException.class, () -> get(strict, "https", e, "Bearer tls-token"));
            assertEquals(200, get(trusting, "https", e, "Bearer tls-token").statusCode(), "still serving after the bad clients");
        }
        assertTrue(stderr().contains("Prometheus endpoint on https://127.0.0.1:"), stderr());
        assertFalse(stderr().contains("error in"), stderr());
    }

    @Test
    void aWrongKeyStorePasswordOrAMissingSecretKeepsTheEndpointOffAndNamesNoSecret() throws Exception {
        Path store = keyStore("PKCS12");
        Path wrong = Files.writeString(dir.resolve("wrong.pass"), "not-the-store-pw");
        HeadroomConfig c = HeadroomConfig.parse("prometheus=127.0.0.1:0,prometheusTlsKeyStore=" + store
                + ",prometheusTlsKeyStorePasswordFile=" + wrong);
        assertTrue(PrometheusEndpoint.start(c, SampleBudgets::full, diagnostics).isEmpty());
        assertTrue(stderr().contains("Prometheus endpoint not started: cannot load the key store " + store), stderr());
        assertFalse(stderr().contains("not-the-store-pw"), stderr());

        HeadroomConfig noToken = HeadroomConfig.parse("prometheus=127.0.0.1:0,prometheusBearerTokenFile=" + dir.resolve("absent"));
        assertTrue(PrometheusEndpoint.start(noToken, SampleBudgets::full, diagnostics).isEmpty(), "never serves unauthenticated instead");
    }

    /** A key store holding one EC key pair for 127.0.0.1 and localhost, made by this JDK's keytool. */
    private Path keyStore(String type) throws Exception {
        Path store = dir.resolve("server." + type.toLowerCase(java.util.Locale.ROOT));
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "headroom", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-storetype", type, "-keystore", store.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool: " + out);
        return store;
    }

    private static SSLContext trusting(Path store) throws Exception {
        KeyStore ks = KeyStore.getInstance(store.toFile(), STORE_PASSWORD.toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, tmf.getTrustManagers(), null);
        return c;
    }
}
