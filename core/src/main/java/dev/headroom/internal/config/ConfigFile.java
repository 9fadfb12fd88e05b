package dev.headroom.internal.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The {@code config=} file: the agent's options in {@link Properties} form, one {@code key=value} a
 * line, so that a value may hold a comma and a Kubernetes ConfigMap can be mounted as the file (the
 * OpenTelemetry agent's {@code otel.javaagent.configuration-file} works the same way). Keys are the
 * agent's, in any spelling {@link Option#find} accepts, optionally with the system property's
 * {@code headroom.} prefix.
 *
 * <p>Read forgivingly, once, on the thread that loads the options, through {@link SmallFiles} (kernfs's
 * bounded reader that refuses what is not a regular file): a file that is missing, not a
 * regular file (a FIFO would block the application's main thread), larger than {@link #MAX_BYTES},
 * not UTF-8 or not in properties form is one problem naming the file, and its options are left out;
 * the other sources still apply.
 */
final class ConfigFile {
    /** Far more than every option with long paths needs; a bigger file is a mistake, not a config. */
    static final int MAX_BYTES = 64 * 1024;

    private ConfigFile() {
    }

    /**
     * The options in {@code file}, each under the option it names, in file order; every problem goes
     * to {@code problems}. Never throws for anything the file holds.
     */
    static Map<Option, String> read(Path file, SmallFiles files, List<String> problems) {
        Map<Option, String> out = new LinkedHashMap<>();
        String name = Values.printable(file.toString());
        String text;
        try {
            byte[] bytes = files.read(file, name, MAX_BYTES);
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            problems.add("headroom config file " + name + " does not exist; its options are not applied");
            return out;
        } catch (CharacterCodingException e) {
            problems.add("headroom config file " + name + " is not UTF-8 text; its options are not applied");
            return out;
        } catch (IOException | RuntimeException e) {
            // the reader's messages start with the file's name: not regular, too large, a read error
            String m = Values.printable(String.valueOf(e.getMessage()));
            problems.add("headroom config file " + (m.startsWith(name) ? m : name + " cannot be read (" + Values.printable(e.toString()) + ")")
                    + "; its options are not applied");
            return out;
        }
        List<String[]> entries = new ArrayList<>();
        Properties parser = new Properties() {
            private static final long serialVersionUID = 1L;

            // Called by load for each entry in file order; Properties itself would keep only the last of two equal keys.
            @Override
            public synchronized Object put(Object key, Object value) {
                entries.add(new String[] {(String) key, (String) value});
                return null;
            }
        };
        try {
            parser.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            // Properties.load rejects a malformed backslash-u escape, and nothing else
            problems.add("headroom config file " + name + " is malformed (" + Values.printable(String.valueOf(e.getMessage()))
                    + "); its options are not applied");
            return out;
        }
        Map<Option, String> firstKey = new HashMap<>();
        for (String[] e : entries) {
            String k = e[0];
            Option o = option(k);
            if (o == null) {
                problems.add("unknown option '" + Values.printable(k) + "' in headroom config file " + name + Option.knownKeysHint());
            } else if (o == Option.CONFIG) {
                problems.add("'" + Values.printable(k) + "' in headroom config file " + name + " is ignored: a config file cannot name another");
            } else if (firstKey.putIfAbsent(o, k) != null) {
                // As in the agent arguments: a repeated key is a problem and the first one applies.
                problems.add("headroom option " + Values.printable(k) + " given twice in headroom config file " + name
                        + "; the first one (" + Values.printable(firstKey.get(o)) + ") applies");
            } else {
                out.put(o, e[1]);
            }
        }
        return out;
    }

    private static Option option(String key) {
        Option o = Option.find(key);
        if (o == null && key.regionMatches(true, 0, "headroom.", 0, 9)) {
            o = Option.find(key.substring(9));
        }
        return o;
    }
}
