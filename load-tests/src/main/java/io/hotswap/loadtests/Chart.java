package io.hotswap.loadtests;

import java.util.List;
import java.util.Locale;

/**
 * A self-contained HTML page (inline SVG, no scripts, nothing fetched) with latency against offered
 * rate for writes and reads — p50, p99 and p99.9 on a logarithmic axis — and achieved against
 * offered rate, from the measured phases of a {@link Capacity} run.
 */
final class Chart {

  private static final int W = 560;
  private static final int H = 340;
  private static final int PAD = 60;
  private static final String[] COLOURS = {"#1b7837", "#d95f02", "#7570b3"};

  private Chart() {}

  static String html(String title, List<Capacity.Row> rows) {
    StringBuilder s = new StringBuilder();
    s.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title))
        .append("</title><style>body{font:14px sans-serif;margin:24px}svg{margin:8px 24px 24px 0;background:#fff}"
            + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}</style></head><body>")
        .append("<h1>").append(esc(title)).append("</h1>");
    for (String kind : List.of("write", "read")) {
      List<Capacity.Row> measured = rows.stream().filter(r -> r.kind().equals(kind) && r.phase().equals("measured")).toList();
      if (measured.isEmpty()) {
        continue;
      }
      s.append("<h2>").append(kind).append("s</h2>");
      s.append(latency(kind + "s: latency from due time (ms, log scale) against offered rate", measured));
      s.append(throughput(kind + "s: achieved against offered rate (per second)", measured));
    }
    s.append("<h2>All rows</h2><table><tr><th>kind</th><th>phase</th><th>offered/s</th><th>achieved/s</th><th>n</th><th>p50 ms</th>"
        + "<th>p99 ms</th><th>p99.9 ms</th><th>max ms</th><th>errors</th></tr>");
    for (Capacity.Row r : rows) {
      s.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%.0f</td><td>%.1f</td><td>%d</td><td>%.2f</td><td>%.2f</td>"
          + "<td>%.2f</td><td>%.2f</td><td>%d</td></tr>", r.kind(), r.phase(), r.offered(), r.achieved(), r.count(), r.p50(), r.p99(),
          r.p999(), r.max(), r.errors()));
    }
    return s.append("</table></body></html>").toString();
  }

  private static String latency(String title, List<Capacity.Row> rows) {
    double maxX = rows.stream().mapToDouble(Capacity.Row::offered).max().orElse(1);
    double minY = 0.1;
    double maxY = Math.max(10, rows.stream().mapToDouble(Capacity.Row::p999).filter(Double::isFinite).max().orElse(10) * 1.5);
    StringBuilder s = frame(title, "offered per second", "ms");
    axisX(s, maxX);
    for (double tick = 0.1; tick <= maxY; tick *= 10) {
      double y = logY(tick, minY, maxY);
      s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/><text x=\"%d\" y=\"%.1f\" "
          + "text-anchor=\"end\" font-size=\"11\">%s</text>", PAD, W - 10, y, y, PAD - 4, y + 4, tick < 1 ? "0.1" : Long.toString((long) tick)));
    }
    String[] names = {"p50", "p99", "p99.9"};
    for (int i = 0; i < names.length; i++) {
      StringBuilder points = new StringBuilder();
      for (Capacity.Row r : rows) {
        double v = i == 0 ? r.p50() : i == 1 ? r.p99() : r.p999();
        if (Double.isFinite(v)) {
          double x = x(r.offered(), maxX);
          double y = logY(Math.max(minY, v), minY, maxY);
          points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
          s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s %.2f ms at %.0f/s</title></circle>",
              x, y, COLOURS[i], names[i], v, r.offered()));
        }
      }
      s.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(COLOURS[i]).append("\" points=\"").append(points).append("\"/>");
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\" font-size=\"12\">%s</text>", PAD + 10 + i * 60, PAD - 8,
          COLOURS[i], names[i]));
    }
    return s.append("</svg>").toString();
  }

  private static String throughput(String title, List<Capacity.Row> rows) {
    double maxX = rows.stream().mapToDouble(Capacity.Row::offered).max().orElse(1);
    StringBuilder s = frame(title, "offered per second", "achieved per second");
    axisX(s, maxX);
    for (int i = 0; i <= 4; i++) {
      double v = maxX * i / 4;
      double y = linY(v, maxX);
      s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/><text x=\"%d\" y=\"%.1f\" "
          + "text-anchor=\"end\" font-size=\"11\">%.0f</text>", PAD, W - 10, y, y, PAD - 4, y + 4, v));
    }
    s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#bbb\" stroke-dasharray=\"4\"/>", PAD, H - PAD,
        W - 10, PAD));
    StringBuilder points = new StringBuilder();
    for (Capacity.Row r : rows) {
      double x = x(r.offered(), maxX);
      double y = linY(r.achieved(), maxX);
      points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%.1f/s achieved at %.0f/s offered</title>"
          + "</circle>", x, y, COLOURS[0], r.achieved(), r.offered()));
    }
    return s.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(COLOURS[0]).append("\" points=\"").append(points)
        .append("\"/></svg>").toString();
  }

  private static StringBuilder frame(String title, String xLabel, String yLabel) {
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">",
        W, H, esc(title)));
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"13\" font-weight=\"bold\">%s</text>", 10, esc(title)));
    s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", PAD, H - PAD, W - 10, H - PAD));
    s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", PAD, PAD, PAD, H - PAD));
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\">%s</text>", (W + PAD) / 2, H - 20,
        esc(xLabel)));
    s.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" font-size=\"12\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">%s</text>",
        H / 2, H / 2, esc(yLabel)));
    return s;
  }

  private static void axisX(StringBuilder s, double maxX) {
    for (int i = 0; i <= 4; i++) {
      double v = maxX * i / 4;
      s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\">%.0f</text>", x(v, maxX), H - PAD + 16, v));
    }
  }

  private static double x(double v, double maxX) {
    return PAD + (W - 10 - PAD) * v / maxX;
  }

  private static double linY(double v, double max) {
    return H - PAD - (H - 2 * PAD) * v / max;
  }

  private static double logY(double v, double min, double max) {
    return H - PAD - (H - 2 * PAD) * (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min));
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
