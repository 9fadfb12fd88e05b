package dev.headroom.benchmarks.softlimit;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Working set over time, one panel per collector: without Headroom (grey), with it (blue), the hard
 * limit (red, dashed) and the soft limit (orange, dashed). Drawn with java.awt, headless.
 */
final class Plot {
    private static final int PANEL_W = 560;
    private static final int PANEL_H = 300;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 40;
    private static final Color BASE = new Color(130, 130, 130);
    private static final Color GOV = new Color(30, 100, 220);
    private static final Color HARD = new Color(210, 40, 40);
    private static final Color SOFT = new Color(240, 150, 20);

    private Plot() {
    }

    static void write(Path file, SoftLimitDriver.Scenario s, String jdk, Map<String, SoftLimitDriver.Run[]> panels) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int cols = Math.min(2, panels.size());
        int rows = (panels.size() + cols - 1) / cols;
        BufferedImage img = new BufferedImage(cols * PANEL_W, rows * PANEL_H + 30, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString("Scenario " + s.name() + ", JDK " + jdk + ": cgroup working set, without Headroom (grey) and with (blue)",
                10, 20);
        int i = 0;
        for (Map.Entry<String, SoftLimitDriver.Run[]> e : panels.entrySet()) {
            int x0 = (i % cols) * PANEL_W;
            int y0 = 30 + (i / cols) * PANEL_H;
            panel(g, x0, y0, s, e.getKey(), e.getValue()[0], e.getValue()[1]);
            i++;
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static void panel(Graphics2D g, int x0, int y0, SoftLimitDriver.Scenario s, String gc,
                              SoftLimitDriver.Run base, SoftLimitDriver.Run gov) {
        long maxT = Math.max(last(base.series()), last(gov.series()));
        maxT = Math.max(maxT, 1000);
        double maxY = s.limitBytes() * 1.1;
        int w = PANEL_W - LEFT - RIGHT;
        int h = PANEL_H - TOP - BOTTOM;
        int px = x0 + LEFT;
        int py = y0 + TOP;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(Color.BLACK);
        g.drawString(gc + ": " + base.outcome() + " → " + gov.outcome(), px, y0 + 25);
        g.setColor(new Color(235, 235, 235));
        for (int mib = 0; mib <= maxY / SoftLimitDriver.MIB; mib += 128) {
            int y = py + h - (int) (h * mib * SoftLimitDriver.MIB / maxY);
            g.drawLine(px, y, px + w, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(mib + "M", x0 + 10, y + 4);
            g.setColor(new Color(235, 235, 235));
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(px, py, w, h);
        for (long t = 0; t <= maxT; t += 5000) {
            int x = px + (int) (w * t / (double) maxT);
            g.drawString(t / 1000 + "s", x - 8, py + h + 15);
        }
        dashed(g, HARD, py + h - (int) (h * s.limitBytes() / maxY), px, w, "hard limit");
        if (s.softLimitBytes() > 0) {
            dashed(g, SOFT, py + h - (int) (h * s.softLimitBytes() / maxY), px, w, "soft limit");
        }
        line(g, BASE, base.series(), px, py, w, h, maxT, maxY);
        line(g, GOV, gov.series(), px, py, w, h, maxT, maxY);
    }

    private static void dashed(Graphics2D g, Color c, int y, int px, int w, String label) {
        g.setColor(c);
        g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{6f, 4f}, 0f));
        g.drawLine(px, y, px + w, y);
        g.setStroke(new BasicStroke(1f));
        g.drawString(label, px + w - 70, y - 3);
    }

    private static void line(Graphics2D g, Color c, List<long[]> series, int px, int py, int w, int h, long maxT, double maxY) {
        g.setColor(c);
        g.setStroke(new BasicStroke(2f));
        int lx = -1;
        int ly = -1;
        for (long[] p : series) {
            int x = px + (int) (w * p[0] / (double) maxT);
            int y = py + h - (int) (h * Math.min(p[1], maxY) / maxY);
            if (lx >= 0) {
                g.drawLine(lx, ly, x, y);
            }
            lx = x;
            ly = y;
        }
        g.setStroke(new BasicStroke(1f));
    }

    private static long last(List<long[]> series) {
        return series.isEmpty() ? 0 : series.get(series.size() - 1)[0];
    }
}
