package dev.headroom.internal.cgroup;

import java.util.List;
import java.util.function.Consumer;

/**
 * Parser for {@code /proc/self/mountinfo} (proc(5)). A line is
 * {@code id parent major:minor root mountPoint mountOptions [optional fields...] - fsType source superOptions};
 * the number of optional fields ({@code shared:N}, {@code master:N}, {@code propagate_from:N},
 * {@code unbindable}) varies, so the separator {@code -} is searched for rather than counted.
 * The kernel writes {@code root} and {@code mountPoint} with space, tab, newline and backslash as
 * three-digit octal escapes ({@code \040}, {@code \011}, {@code \012}, {@code \134}).
 */
final class MountInfo {

    /** One mount. Paths are unescaped. */
    record Mount(String root, String mountPoint, String fsType, String superOptions) {

        /** True when {@code superOptions} lists {@code option} (v1 cgroup mounts list their controllers there). */
        boolean hasSuperOption(String option) {
            for (String o : superOptions.split(",")) {
                if (o.equals(option)) {
                    return true;
                }
            }
            return false;
        }
    }

    private MountInfo() {
    }

    /** Parses every well-formed line; each malformed one adds an error naming its line number. */
    static List<Mount> parse(String content, String fileName, List<String> errors) {
        return TextLines.parse(content, fileName, errors, MOUNT);
    }

    private static final TextLines.Parser<Mount> MOUNT = new TextLines.Parser<>() {
        @Override
        public Mount parse(String line, Consumer<String> refuse) {
            return mount(line, refuse);
        }
    };

    private static Mount mount(String line, Consumer<String> refuse) {
        String[] f = line.trim().split(" +");
        int separator = -1;
        for (int i = 6; i < f.length; i++) {
            if (f[i].equals("-")) {
                separator = i;
                break;
            }
        }
        if (separator < 0 || separator + 1 >= f.length) {
            refuse.accept("is malformed (no ' - fstype' separator)");
            return null;
        }
        String fsType = f[separator + 1];
        String superOptions = separator + 3 < f.length ? f[separator + 3] : "";
        return new Mount(unescape(f[3]), unescape(f[4]), fsType, superOptions);
    }

    /** Undoes the kernel's {@code \ooo} octal escapes; a backslash not followed by three octal digits is kept. */
    static String unescape(String s) {
        int slash = s.indexOf('\\');
        if (slash < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1) && isOctal(s, i + 2) && isOctal(s, i + 3)) {
                out.append((char) ((s.charAt(i + 1) - '0') * 64 + (s.charAt(i + 2) - '0') * 8 + (s.charAt(i + 3) - '0')));
                i += 4;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int i) {
        if (i >= s.length()) {
            return false;
        }
        char c = s.charAt(i);
        return c >= '0' && c <= '7';
    }
}
