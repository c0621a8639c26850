package io.hotswap.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * What a command prints: for people, aligned columns and short sentences; with {@code -o json},
 * the API's JSON as it answered, one document per command, for scripts ({@code jq}).
 */
final class Output {

  private final PrintStream out;
  private final boolean json;

  Output(PrintStream out, boolean json) {
    this.out = out;
    this.json = json;
  }

  boolean json() {
    return json;
  }

  PrintStream stream() {
    return out;
  }

  /** The JSON for scripts, or {@code human} for people. */
  void show(JsonNode answer, Runnable human) {
    if (json) {
      out.println(RestApi.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(answer));
    } else {
      human.run();
    }
  }

  void line(String text) {
    out.println(text);
  }

  /** Rows under a header, each column as wide as its widest cell. */
  void table(List<String> header, List<List<String>> rows) {
    if (rows.isEmpty()) {
      out.println("(none)");
      return;
    }
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    int[] width = new int[header.size()];
    for (List<String> row : all) {
      for (int i = 0; i < row.size(); i++) {
        width[i] = Math.max(width[i], row.get(i) == null ? 1 : row.get(i).length());
      }
    }
    for (List<String> row : all) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        String cell = row.get(i) == null ? "-" : row.get(i);
        b.append(i == row.size() - 1 ? cell : String.format("%-" + width[i] + "s  ", cell));
      }
      out.println(b.toString().stripTrailing());
    }
  }

  /** A JSON value as one cell: text as it is, anything else as compact JSON. */
  static String cell(JsonNode value) {
    if (value == null || value.isMissingNode() || value.isNull()) {
      return "-";
    }
    return value.isString() ? value.asString() : value.toString();
  }
}
