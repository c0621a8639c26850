package io.hotswap.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;
import java.util.Map;

/** Writes audit rows as CSV (RFC 4180, with a header) or as a JSON array, one row at a time. */
final class AuditExport {

  static final List<String> COLUMNS = List.of("eventId", "eventType", "tenantId", "environment", "key", "resourceId", "oldValue",
      "newValue", "detail", "version", "actor", "sourceIp", "traceId", "commandId", "timestamp",
      "chainSeq", "rowHash");

  private final Writer out;
  private final boolean csv;
  private boolean first = true;

  AuditExport(Writer out, boolean csv) {
    this.out = out;
    this.csv = csv;
  }

  void begin() {
    write(csv ? String.join(",", COLUMNS) + "\r\n" : "[");
  }

  void row(Map<String, Object> row) {
    if (csv) {
      StringBuilder line = new StringBuilder();
      for (String column : COLUMNS) {
        if (line.length() > 0 || !column.equals(COLUMNS.getFirst())) {
          line.append(',');
        }
        line.append(cell(row.get(column)));
      }
      write(line.append("\r\n").toString());
    } else {
      write((first ? "\n" : ",\n") + io.hotswap.core.json.Json.MAPPER.writeValueAsString(row));
    }
    first = false;
  }

  void end() {
    if (!csv) {
      write(first ? "]\n" : "\n]\n");
    }
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * One CSV cell: quoted when it holds a comma, quote or line break (quotes doubled); a value that
   * a spreadsheet would run as a formula (starting with =, +, -, @) is prefixed with an apostrophe.
   */
  static String cell(Object value) {
    if (value == null) {
      return "";
    }
    String s = value.toString();
    if (!s.isEmpty() && !(value instanceof Number) && "=+-@\t\r".indexOf(s.charAt(0)) >= 0) {
      s = "'" + s;
    }
    boolean quote = s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
    return quote ? '"' + s.replace("\"", "\"\"") + '"' : s;
  }

  private void write(String s) {
    try {
      out.write(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
