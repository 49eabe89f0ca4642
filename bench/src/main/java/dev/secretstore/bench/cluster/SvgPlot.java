package dev.secretstore.bench.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small hand-written SVG writer for the bench's charts (no plotting library): bar charts over named
 * categories and line charts over numeric x, stacked vertically in one document. Every series is a
 * {@code <g class="series" data-series="NAME">} with a {@code <title>}, so a reader (or a test) can find it;
 * every text is XML-escaped. Axes start at 0 and end at a round number above the largest value.
 */
final class SvgPlot {
    /** A chart in the document. */
    sealed interface Chart permits Bars, Lines {
        String title();
    }

    /** One value per category (null: no bar). */
    record Series(String name, List<Double> values) {}

    /** Grouped bars: for each category one bar per series. */
    record Bars(String title, String yLabel, List<String> categories, List<Series> series) implements Chart {}

    /** A point of a line. */
    record Point(double x, double y) {}

    /** One line of a line chart, its points in x order. */
    record Line(String name, List<Point> points) {}

    /** Lines over a numeric x axis (every x value that occurs is a tick). */
    record Lines(String title, String xLabel, String yLabel, List<Line> lines) implements Chart {}

    static final int WIDTH = 860;
    static final int CHART_HEIGHT = 330;
    private static final int LEFT = 80;
    private static final int RIGHT = 170; // legend
    private static final int TOP = 40;
    private static final int BOTTOM = 90; // category labels
    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

    private SvgPlot() {}

    /** The SVG document: a heading, then the charts one below the other. */
    static String render(String heading, List<? extends Chart> charts) {
        int height = 30 + CHART_HEIGHT * Math.max(1, charts.size());
        StringBuilder sb = new StringBuilder();
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append(f("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, height, WIDTH, height));
        sb.append(f("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        sb.append(f("<text x=\"%d\" y=\"20\" font-size=\"15\" font-weight=\"bold\">%s</text>%n", LEFT, esc(heading)));
        int y0 = 30;
        for (Chart c : charts) {
            sb.append(f("<g class=\"chart\" data-title=\"%s\" transform=\"translate(0,%d)\">%n", esc(c.title()), y0));
            if (c instanceof Bars b) bars(sb, b);
            else lines(sb, (Lines) c);
            sb.append("</g>\n");
            y0 += CHART_HEIGHT;
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static int plotWidth() {
        return WIDTH - LEFT - RIGHT;
    }

    private static int plotHeight() {
        return CHART_HEIGHT - TOP - BOTTOM;
    }

    /** A round axis maximum at or above {@code max}: 1, 2, 2.5 or 5 times a power of ten. */
    static double niceMax(double max) {
        if (!(max > 0) || Double.isInfinite(max)) return 1;
        double p = Math.pow(10, Math.floor(Math.log10(max)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= max * (1 - 1e-12)) return m * p;
        }
        return 10 * p;
    }

    private static void frame(StringBuilder sb, String title, String yLabel, double yMax) {
        int w = plotWidth();
        int h = plotHeight();
        sb.append(f("<text x=\"%d\" y=\"%d\" font-size=\"13\" font-weight=\"bold\">%s</text>%n", LEFT, TOP - 14, esc(title)));
        for (int i = 0; i <= 5; i++) {
            double v = yMax * i / 5;
            double y = TOP + h - h * i / 5.0;
            sb.append(f("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", LEFT, y, LEFT + w, y));
            sb.append(f("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 6, y + 4, esc(tick(v))));
        }
        sb.append(f("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", LEFT, TOP, LEFT, TOP + h));
        sb.append(f("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", LEFT, TOP + h, LEFT + w, TOP + h));
        sb.append(f("<text transform=\"translate(%d,%d) rotate(-90)\" text-anchor=\"middle\">%s</text>%n", 18, TOP + h / 2, esc(yLabel)));
    }

    private static void legend(StringBuilder sb, int i, String name) {
        int x = LEFT + plotWidth() + 16;
        int y = TOP + 8 + 18 * i;
        sb.append(f("<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n", x, y - 10, color(i)));
        sb.append(f("<text x=\"%d\" y=\"%d\">%s</text>%n", x + 18, y, esc(name)));
    }

    private static void bars(StringBuilder sb, Bars b) {
        double max = 0;
        for (Series s : b.series()) for (Double v : s.values()) if (v != null && v > max) max = v;
        double yMax = niceMax(max);
        frame(sb, b.title(), b.yLabel(), yMax);
        int n = Math.max(1, b.categories().size());
        double slot = (double) plotWidth() / n;
        double bar = slot * 0.8 / Math.max(1, b.series().size());
        int h = plotHeight();
        for (int c = 0; c < b.categories().size(); c++) {
            double x = LEFT + slot * c + slot / 2;
            sb.append(f("<text transform=\"translate(%.1f,%d) rotate(30)\" font-size=\"10\">%s</text>%n", x - 4, TOP + h + 14,
                    esc(b.categories().get(c))));
        }
        for (int s = 0; s < b.series().size(); s++) {
            Series series = b.series().get(s);
            sb.append(f("<g class=\"series\" data-series=\"%s\" fill=\"%s\"><title>%s</title>%n", esc(series.name()), color(s), esc(series.name())));
            for (int c = 0; c < series.values().size() && c < n; c++) {
                Double v = series.values().get(c);
                if (v == null) continue;
                double bh = h * Math.max(0, v) / yMax;
                double x = LEFT + slot * c + slot * 0.1 + bar * s;
                sb.append(f("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>%s: %s</title></rect>%n", x, TOP + h - bh,
                        bar, bh, esc(b.categories().get(c)), esc(tick(v))));
            }
            sb.append("</g>\n");
            legend(sb, s, series.name());
        }
    }

    private static void lines(StringBuilder sb, Lines l) {
        double max = 0;
        List<Double> xs = new ArrayList<>();
        for (Line line : l.lines()) {
            for (Point p : line.points()) {
                max = Math.max(max, p.y());
                if (!xs.contains(p.x())) xs.add(p.x());
            }
        }
        xs.sort(Double::compare);
        double yMax = niceMax(max);
        frame(sb, l.title(), l.yLabel(), yMax);
        double xMin = xs.isEmpty() ? 0 : xs.get(0);
        double xMax = xs.isEmpty() ? 1 : xs.get(xs.size() - 1);
        int h = plotHeight();
        for (double x : xs) {
            double px = xPos(x, xMin, xMax);
            sb.append(f("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>%n", px, TOP + h, px, TOP + h + 4));
            sb.append(f("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, TOP + h + 18, esc(tick(x))));
        }
        sb.append(f("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", LEFT + plotWidth() / 2, TOP + h + 40, esc(l.xLabel())));
        for (int s = 0; s < l.lines().size(); s++) {
            Line line = l.lines().get(s);
            StringBuilder pts = new StringBuilder();
            for (Point p : line.points()) {
                pts.append(pts.length() == 0 ? "" : " ").append(f("%.1f,%.1f", xPos(p.x(), xMin, xMax), TOP + h - h * Math.max(0, p.y()) / yMax));
            }
            sb.append(f("<g class=\"series\" data-series=\"%s\" stroke=\"%s\" fill=\"%s\"><title>%s</title>%n", esc(line.name()), color(s),
                    color(s), esc(line.name())));
            sb.append(f("<polyline points=\"%s\" fill=\"none\" stroke-width=\"2\"/>%n", pts));
            for (Point p : line.points()) {
                sb.append(f("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\"><title>%s at %s: %s</title></circle>%n", xPos(p.x(), xMin, xMax),
                        TOP + h - h * Math.max(0, p.y()) / yMax, esc(line.name()), esc(tick(p.x())), esc(tick(p.y()))));
            }
            sb.append("</g>\n");
            legend(sb, s, line.name());
        }
    }

    private static double xPos(double x, double xMin, double xMax) {
        if (xMax == xMin) return LEFT + plotWidth() / 2.0;
        return LEFT + 20 + (plotWidth() - 40) * (x - xMin) / (xMax - xMin);
    }

    private static String color(int i) {
        return COLORS[i % COLORS.length];
    }

    /** A number as an axis label: integers without decimals, otherwise up to three significant digits. */
    static String tick(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return f("%d", (long) v);
        if (Math.abs(v) >= 100) return f("%.0f", v);
        if (Math.abs(v) >= 10) return f("%.1f", v);
        return f("%.2f", v);
    }

    /** XML-escapes text for element content and double-quoted attributes. */
    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') sb.append('?'); // not allowed in XML 1.0
                    else sb.append(c);
                }
            }
        }
        return sb.toString();
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
