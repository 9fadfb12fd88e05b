package dev.headroom.internal.channel;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * What the channel's server and the CLI agree on. A client connects, writes one request line and
 * reads to the end: the answer is a status line, {@code ok} or {@code error <why>}, then the body.
 *
 * <ul>
 *   <li>{@code json}: the budget document, as {@code report --json} (docs/schema.md);</li>
 *   <li>{@code text}: the budget table, as {@code report};</li>
 *   <li>{@code frame}: one screen of {@code report --watch}.</li>
 * </ul>
 */
public final class ChannelProtocol {
    /**
     * Where the socket lives, as the JVM itself names it. Fixed rather than {@code java.io.tmpdir}:
     * the CLI must find it without asking the JVM anything (that is the point), and HotSpot's attach
     * listener on Linux meets its clients in {@code /tmp} too ({@code .java_pid<pid>}, whatever
     * {@code java.io.tmpdir} says).
     */
    public static final Path DIR = Path.of("/tmp");
    public static final String JSON = "json";
    public static final String TEXT = "text";
    public static final String FRAME = "frame";
    public static final String OK = "ok";
    public static final String ERROR = "error ";
    /** Most bytes of a request line, its newline included. */
    public static final int MAX_REQUEST = 64;
    /** Most bytes of an answer a client reads: a budget document is a few KiB. */
    public static final int MAX_ANSWER = 4 << 20;

    private ChannelProtocol() {
    }

    /** {@code .headroom-<pid>.sock}, the pid as the JVM sees it (inside its pid namespace). */
    public static String fileName(long pid) {
        return ".headroom-" + pid + ".sock";
    }

    /**
     * {@code .headroom-<pid>.knock}: a client creates it to ask the JVM to open its socket, which it
     * does only when asked ({@link ChannelDoor}), within a few hundred milliseconds.
     */
    public static String knockName(long pid) {
        return ".headroom-" + pid + ".knock";
    }

    /** The request line for {@code verb}. */
    public static byte[] request(String verb) {
        return (verb + "\n").getBytes(StandardCharsets.US_ASCII);
    }
}
