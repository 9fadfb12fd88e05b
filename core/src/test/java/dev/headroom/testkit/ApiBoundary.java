package dev.headroom.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads Java sources as text to find which of Headroom's packages they use: every import (static and
 * wildcard included) and every fully qualified name in code, with comments, string literals and the
 * {@code package} line left out. Plain JUnit, no bytecode library: the rules about who may use
 * {@code dev.headroom.internal} (docs/architecture.md, "The API boundary") are tests over this.
 */
public final class ApiBoundary {
    /** The packages no module but core itself should need. */
    public static final String INTERNAL = "dev.headroom.internal";

    private static final Pattern QUALIFIED = Pattern.compile("\\bdev\\.headroom(?:\\s*\\.\\s*[A-Za-z_$][A-Za-z0-9_$]*|\\s*\\.\\s*\\*)+");

    private ApiBoundary() {
    }

    /**
     * One use of a Headroom package.
     *
     * @param file  the source file
     * @param line  1-based line of the use
     * @param pkg   the package used, e.g. {@code dev.headroom.internal.budget}
     * @param type  the simple name of the top-level type used, or {@code *} for a wildcard import
     */
    public record Reference(Path file, int line, String pkg, String type) {
        /** {@code file:line uses pkg.Type}, for failure messages. */
        public String describe() {
            return file + ":" + line + " uses " + pkg + "." + type;
        }
    }

    /** The {@code .java} files under {@code sourceRoot}, in path order. */
    public static List<Path> javaFiles(Path sourceRoot) {
        try (Stream<Path> files = Files.walk(sourceRoot)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every use of a {@code dev.headroom} package in the {@code .java} files under {@code sourceRoot}. */
    public static List<Reference> references(Path sourceRoot) {
        List<Reference> out = new ArrayList<>();
        for (Path file : javaFiles(sourceRoot)) {
            try {
                out.addAll(references(file, Files.readString(file)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** The uses in one file's text. */
    public static List<Reference> references(Path file, String source) {
        String code = codeOnly(source);
        List<Reference> out = new ArrayList<>();
        Matcher m = QUALIFIED.matcher(code);
        while (m.find()) {
            if (declaresPackage(code, m.start())) {
                continue;
            }
            String[] parts = m.group().replaceAll("\\s+", "").split("\\.");
            StringBuilder pkg = new StringBuilder();
            String type = null;
            for (String part : parts) {
                if (part.equals("*") || Character.isUpperCase(part.charAt(0))) {
                    type = part;
                    break;
                }
                pkg.append(pkg.length() == 0 ? "" : ".").append(part);
            }
            if (type != null) {
                out.add(new Reference(file, lineOf(code, m.start()), pkg.toString(), type));
            }
        }
        return out;
    }

    /** The internal packages the sources under {@code sourceRoot} use, each with the places it is used. */
    public static Map<String, List<Reference>> internalUses(Path sourceRoot) {
        Map<String, List<Reference>> out = new TreeMap<>();
        for (Reference r : references(sourceRoot)) {
            if (r.pkg().equals(INTERNAL) || r.pkg().startsWith(INTERNAL + ".")) {
                out.computeIfAbsent(r.pkg(), p -> new ArrayList<>()).add(r);
            }
        }
        return out;
    }

    /**
     * Fails unless the sources under {@code sourceRoot} use exactly the internal packages in
     * {@code allowed} (package to the reason it is needed): a use outside the list names the file,
     * the line and the type; a listed package nobody uses any more must leave the list, so the list
     * stays a true account.
     */
    public static void assertInternalUse(Path sourceRoot, Map<String, String> allowed) {
        assertTrue(Files.isDirectory(sourceRoot), "no sources at " + sourceRoot.toAbsolutePath());
        Map<String, List<Reference>> uses = internalUses(sourceRoot);
        List<String> outside = new ArrayList<>();
        for (Map.Entry<String, List<Reference>> e : uses.entrySet()) {
            if (!allowed.containsKey(e.getKey())) {
                e.getValue().forEach(r -> outside.add(r.describe()));
            }
        }
        assertTrue(outside.isEmpty(), "internal packages used outside the allow-list (use the public API, dev.headroom and dev.headroom.metrics, "
                + "or add the package to the allow-list with the reason, see docs/architecture.md):\n  "
                + String.join("\n  ", outside));
        Set<String> unused = new TreeSet<>(allowed.keySet());
        unused.removeAll(uses.keySet());
        assertTrue(unused.isEmpty(), "allowed internal packages no source under " + sourceRoot + " uses any more; "
                + "remove them from the allow-list: " + unused);
    }

    /** The source with comments and string and character literals blanked out, line breaks kept. */
    static String codeOnly(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
                int end = source.indexOf('\n', i);
                i = blank(source, i, end < 0 ? n : end, out);
            } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
                int end = source.indexOf("*/", i + 2);
                i = blank(source, i, end < 0 ? n : end + 2, out);
            } else if (source.startsWith("\"\"\"", i)) {
                int end = endOfLiteral(source, i + 3, "\"\"\"");
                i = blank(source, i, end, out);
            } else if (c == '"' || c == '\'') {
                int end = endOfLiteral(source, i + 1, String.valueOf(c));
                i = blank(source, i, end, out);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** Index just past the closing {@code quote}, skipping backslash escapes; the end of the text if unclosed. */
    private static int endOfLiteral(String source, int from, String quote) {
        int i = from;
        while (i < source.length()) {
            if (source.charAt(i) == '\\') {
                i += 2;
            } else if (source.startsWith(quote, i)) {
                return i + quote.length();
            } else {
                i++;
            }
        }
        return source.length();
    }

    private static int blank(String source, int from, int to, StringBuilder out) {
        for (int i = from; i < to; i++) {
            out.append(source.charAt(i) == '\n' ? '\n' : ' ');
        }
        return to;
    }

    private static boolean declaresPackage(String code, int at) {
        int lineStart = code.lastIndexOf('\n', at - 1) + 1;
        return code.substring(lineStart, at).strip().equals("package");
    }

    private static int lineOf(String code, int at) {
        int line = 1;
        for (int i = 0; i < at; i++) {
            if (code.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
