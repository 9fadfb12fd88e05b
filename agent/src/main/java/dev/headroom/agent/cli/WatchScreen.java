package dev.headroom.agent.cli;

import java.io.PrintStream;

/**
 * Where {@code report --watch} draws its frames. On a terminal each frame replaces the last in place:
 * cursor home, every line cleared to its end, the rest of the screen cleared below it, and the cursor
 * hidden meanwhile (ECMA-48 / VT100 control sequences, which every terminal emulator in use
 * understands). Anywhere else (a pipe, a file, {@code kubectl exec} without {@code -t}) frames are
 * appended, each under a ruled header line, with no control characters at all.
 */
final class WatchScreen {
    static final String ESC = "\033[";
    static final String HOME = ESC + "H";
    static final String CLEAR_LINE_END = ESC + "K";
    static final String CLEAR_BELOW = ESC + "J";
    static final String CLEAR_ALL = ESC + "2J";
    static final String HIDE_CURSOR = ESC + "?25l";
    static final String SHOW_CURSOR = ESC + "?25h";
    /** A plain frame's header is ruled out to this width. */
    private static final int WIDTH = 100;

    private final PrintStream out;
    private final boolean terminal;
    private boolean begun;
    private boolean ended;
    private long frames;

    WatchScreen(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Draws one frame: its header line, then its body. */
    synchronized void frame(String header, String body) {
        if (ended) {
            return;
        }
        StringBuilder sb = new StringBuilder(body.length() + 512);
        if (terminal) {
            if (!begun) {
                sb.append(HIDE_CURSOR).append(CLEAR_ALL);
            }
            sb.append(HOME);
            sb.append(header).append(CLEAR_LINE_END).append('\n');
            for (String line : body.split("\n")) {
                sb.append(line).append(CLEAR_LINE_END).append('\n');
            }
            sb.setLength(sb.length() - 1); // the cursor stays on the last line: a full screen does not scroll
            sb.append(CLEAR_BELOW);
        } else {
            if (frames > 0) {
                sb.append('\n');
            }
            String rule = "== " + header + " ";
            sb.append(rule).append("=".repeat(Math.max(2, WIDTH - rule.length()))).append('\n');
            sb.append(body);
            if (!body.endsWith("\n")) {
                sb.append('\n');
            }
        }
        begun = true;
        frames++;
        out.print(sb);
        out.flush();
    }

    /**
     * Gives the terminal back: the cursor shown again, on a fresh line under the last frame. Runs once,
     * from the end of the loop or from the shutdown hook that Ctrl-C runs.
     */
    synchronized void end() {
        if (ended) {
            return;
        }
        ended = true;
        if (terminal && begun) {
            out.print(SHOW_CURSOR + "\n");
        }
        out.flush();
    }
}
