package dev.headroom.internal.cgroup;

import dev.headroom.internal.kernfs.ErrorLines;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The line loop of the texts read at resolution ({@code /proc/self/cgroup},
 * {@code /proc/self/mountinfo}): each non-blank line goes to a parser, and a line it refuses is
 * reported as {@code "<file>: line <n> <why>"} while the others are kept. Refusals of the same kind
 * are merged into that first line with a count ({@link ErrorLines.Counter}): a file of garbage costs
 * a line or two of errors, not one per line.
 */
final class TextLines {

    /** Parses one line; returns null after telling {@code refuse} why the line is not one. */
    interface Parser<T> {
        T parse(String line, Consumer<String> refuse);
    }

    private TextLines() {
    }

    static <T> List<T> parse(String content, String fileName, List<String> errors, Parser<T> parser) {
        List<T> out = new ArrayList<>();
        Refusals refused = new Refusals(new ErrorLines.Counter(fileName));
        String[] lines = content.split("\n");
        for (int n = 0; n < lines.length; n++) {
            if (lines[n].isBlank()) {
                continue;
            }
            refused.number = n + 1;
            T parsed = parser.parse(lines[n], refused);
            if (parsed != null) {
                out.add(parsed);
            }
        }
        refused.counter.appendTo(errors);
        return out;
    }

    /** Takes the refusals of the line being parsed, under its number; one per file, not a lambda per line. */
    private static final class Refusals implements Consumer<String> {
        final ErrorLines.Counter counter;
        int number;

        Refusals(ErrorLines.Counter counter) {
            this.counter = counter;
        }

        @Override
        public void accept(String why) {
            counter.add(number, why);
        }
    }
}
