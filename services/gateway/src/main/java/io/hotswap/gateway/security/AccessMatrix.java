package io.hotswap.gateway.security;

import io.hotswap.core.security.Role;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The role × endpoint matrix from {@code access-matrix.tsv}, with the rate limit each endpoint
 * costs its tenant: one source for the security rules, the limits, the README and the tests.
 */
public record AccessMatrix(List<Role> roles, List<Row> rows) {

  public static final String RESOURCE = "/access-matrix.tsv";
  private static final int FIRST_ROLE = 3;

  /** Which of the tenant's limits a call costs. */
  public enum Limit {
    NONE("-"), READ("read"), WRITE("write"), WRITE_PER_ITEM("write-per-item"), DEPLOY("deploy");

    private final String cell;

    Limit(String cell) {
      this.cell = cell;
    }

    public String cell() {
      return cell;
    }

    static Limit fromCell(String cell) {
      for (Limit l : values()) {
        if (l.cell.equals(cell)) {
          return l;
        }
      }
      throw new IllegalStateException("access matrix limit must be one of -, read, write, write-per-item, deploy: " + cell);
    }
  }

  /** One endpoint, the limit it costs and the roles allowed to call it. */
  public record Row(String method, String path, Limit limit, Set<Role> allowed) {
    public String[] allowedClaims() {
      return allowed.stream().map(Role::claim).toArray(String[]::new);
    }
  }

  public static AccessMatrix load() {
    try (InputStream in = AccessMatrix.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      }
      return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static AccessMatrix parse(List<String> lines) {
    List<String> content = lines.stream().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    String[] header = content.getFirst().split("\t");
    List<Role> roles = Arrays.stream(header).skip(FIRST_ROLE)
        .map(h -> Role.fromClaim(h).orElseThrow(() -> new IllegalStateException("unknown role in access matrix: " + h)))
        .toList();
    List<Row> rows = new ArrayList<>();
    for (String line : content.subList(1, content.size())) {
      String[] cells = line.split("\t");
      if (cells.length != header.length) {
        throw new IllegalStateException("access matrix row has " + cells.length + " cells, expected " + header.length + ": " + line);
      }
      Set<Role> allowed = new java.util.LinkedHashSet<>();
      for (int i = FIRST_ROLE; i < cells.length; i++) {
        if (cells[i].equals("Y")) {
          allowed.add(roles.get(i - FIRST_ROLE));
        } else if (!cells[i].equals("-")) {
          throw new IllegalStateException("access matrix cell must be Y or -: " + line);
        }
      }
      rows.add(new Row(cells[0], cells[1], Limit.fromCell(cells[2]), Set.copyOf(allowed)));
    }
    return new AccessMatrix(List.copyOf(roles), List.copyOf(rows));
  }

  /** The matrix as the README shows it. */
  public String toMarkdown() {
    StringBuilder md = new StringBuilder("| endpoint | limit | ")
        .append(roles.stream().map(Role::claim).collect(Collectors.joining(" | "))).append(" |\n|---|---|")
        .append("---|".repeat(roles.size())).append('\n');
    for (Row row : rows) {
      md.append("| `").append(row.method()).append(' ').append(row.path()).append("` | ").append(row.limit().cell()).append(" | ")
          .append(roles.stream().map(r -> row.allowed().contains(r) ? "✓" : "—").collect(Collectors.joining(" | ")))
          .append(" |\n");
    }
    return md.toString();
  }
}
