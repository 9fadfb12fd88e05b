package dev.headroom.internal.prometheus;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.x request head (RFC 9112), parsed strictly from bytes: the request line, and of the
 * header fields only those the endpoint acts on. Anything malformed is a {@link Malformed} carrying
 * the status to answer (400, or 505 for another HTTP version); parsing never throws anything else.
 *
 * @param method     the method token, case-sensitive (RFC 9110 9.1)
 * @param path       the path of the origin-form target, without its query
 * @param http11     HTTP/1.1 (true) or HTTP/1.0
 * @param keepAlive  whether the connection may serve another request after this one (RFC 9112 9.3)
 * @param hasBody    whether a body follows (Content-Length above 0 or a Transfer-Encoding); never read,
 *                   so the connection is closed after the response
 * @param authorization the Authorization field's value, or null
 */
record RequestHead(String method, String path, boolean http11, boolean keepAlive, boolean hasBody, String authorization) {

    /** A request that cannot be served; {@code status} is what to answer before closing. */
    static final class Malformed extends Exception {
        final int status;

        Malformed(int status, String why) {
            super(why, null, false, false);
            this.status = status;
        }
    }

    /**
     * Where the head in {@code buf[0..length)} ends (the index after its empty line), or -1 while
     * incomplete. Lines end with CRLF or, tolerated by RFC 9112 2.2, a bare LF.
     */
    static int end(byte[] buf, int length) {
        for (int i = 0; i < length; i++) {
            if (buf[i] != '\n') {
                continue;
            }
            if (i + 1 < length && buf[i + 1] == '\n') {
                return i + 2;
            }
            if (i + 2 < length && buf[i + 1] == '\r' && buf[i + 2] == '\n') {
                return i + 3;
            }
        }
        return -1;
    }

    /** Parses the complete head {@code buf[0..end)}, as found by {@link #end}. */
    static RequestHead parse(byte[] buf, int end) throws Malformed {
        String text = new String(buf, 0, end, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r?\n", -1);
        int first = 0;
        // RFC 9112 2.2: a server SHOULD ignore at least one empty line received before the request line.
        while (first < lines.length - 1 && lines[first].isEmpty()) {
            first++;
        }
        String[] parts = lines[first].split(" ", -1);
        if (parts.length != 3 || !isToken(parts[0]) || parts[1].isEmpty()) {
            throw new Malformed(400, "malformed request line");
        }
        String version = parts[2];
        boolean http11;
        if (version.equals("HTTP/1.1")) {
            http11 = true;
        } else if (version.equals("HTTP/1.0")) {
            http11 = false;
        } else if (version.matches("HTTP/[0-9]\\.[0-9]")) {
            throw new Malformed(505, "HTTP version not supported");
        } else {
            throw new Malformed(400, "malformed HTTP version");
        }
        String target = parts[1];
        if (!isVisible(target)) {
            throw new Malformed(400, "control character or space in the request target");
        }
        // RFC 9112 3.2.2: a server MUST accept the absolute-form (http://host:port/path).
        String lower = target.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            int slash = target.indexOf('/', target.indexOf("//") + 2);
            target = slash < 0 ? "/" : target.substring(slash);
        }
        if (target.charAt(0) != '/') {
            throw new Malformed(400, "request target must be a path");
        }
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);

        int hosts = 0;
        String connection = null;
        String authorization = null;
        String contentLength = null;
        boolean chunked = false;
        for (int i = first + 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            // RFC 9112 5.1: no whitespace between name and colon; 5.2: obsolete line folding is rejected.
            if (colon <= 0 || !isToken(line.substring(0, colon))) {
                throw new Malformed(400, "malformed header field");
            }
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            if (!isFieldValue(value)) {
                throw new Malformed(400, "control character in header field " + name);
            }
            switch (name) {
                case "host" -> hosts++;
                case "connection" -> connection = connection == null ? value : connection + "," + value;
                case "authorization" -> {
                    if (authorization != null) {
                        throw new Malformed(400, "Authorization given twice");
                    }
                    authorization = value;
                }
                case "content-length" -> {
                    if (contentLength != null && !contentLength.equals(value)) {
                        throw new Malformed(400, "conflicting Content-Length");
                    }
                    contentLength = value;
                }
                case "transfer-encoding" -> chunked = true;
                default -> {
                }
            }
        }
        // RFC 9112 3.2: a request of HTTP/1.1 without exactly one Host field gets a 400.
        if (http11 ? hosts != 1 : hosts > 1) {
            throw new Malformed(400, "HTTP/1.1 request needs exactly one Host field");
        }
        long length = 0;
        if (contentLength != null) {
            if (chunked) {
                // RFC 9112 6.1: both framings at once are a smuggling attempt; answer and close.
                throw new Malformed(400, "both Content-Length and Transfer-Encoding");
            }
            if (!contentLength.matches("[0-9]{1,18}")) {
                throw new Malformed(400, "malformed Content-Length");
            }
            length = Long.parseLong(contentLength);
        }
        boolean hasBody = chunked || length > 0;
        boolean keepAlive = http11 ? !hasToken(connection, "close") : hasToken(connection, "keep-alive");
        return new RequestHead(parts[0], path, http11, keepAlive && !hasBody, hasBody, authorization);
    }

    private static boolean hasToken(String list, String token) {
        if (list == null) {
            return false;
        }
        for (String t : list.split(",")) {
            if (t.strip().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    /** RFC 9110 5.6.2 token. */
    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean isVisible(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9110 5.5: visible characters, spaces and tabs, and obs-text; no other control character. */
    private static boolean isFieldValue(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < ' ' && c != '\t' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }
}
