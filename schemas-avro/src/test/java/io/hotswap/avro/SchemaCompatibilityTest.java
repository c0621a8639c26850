package io.hotswap.avro;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

/**
 * Every schema must stay backward and forward compatible with the last published version kept in
 * {@code schemas-avro/compat/vN/}: a consumer one version behind or ahead must read what the other
 * writes. After a compatible change, publish a new snapshot with {@code
 * -Dhotswap.schemas.snapshot=true} and commit it.
 */
class SchemaCompatibilityTest {

  private static final Path SOURCES = Path.of("src/main/avro");
  private static final Path COMPAT = Path.of("compat");

  @Test
  void shouldStayBackwardAndForwardCompatibleWithThePreviousVersion() throws IOException {
    Map<String, Schema> current = currentSchemas();
    Path previousDir = latestSnapshot();
    if (previousDir == null || Boolean.getBoolean("hotswap.schemas.snapshot")) {
      previousDir = writeSnapshot(current, previousDir);
    }
    List<String> problems = new ArrayList<>();
    try (Stream<Path> files = Files.list(previousDir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".avsc")).sorted().toList()) {
        Schema previous = new Schema.Parser().parse(file.toFile());
        Schema now = current.get(previous.getFullName());
        if (now == null) {
          problems.add(previous.getFullName() + " was removed; removing a schema breaks readers of old records");
          continue;
        }
        check("backward (new reader, old writer)", now, previous, problems);
        check("forward (old reader, new writer)", previous, now, problems);
      }
    }
    assertThat(problems).as("incompatible schema changes against %s", previousDir).isEmpty();
  }

  @Test
  void shouldDocumentEveryFieldAndDefaultEveryEnum() throws IOException {
    List<String> missing = new ArrayList<>();
    for (Schema s : currentSchemas().values()) {
      visit(s, missing, new java.util.HashSet<>());
    }
    assertThat(missing).isEmpty();
  }

  private static void visit(Schema s, List<String> missing, java.util.Set<String> seen) {
    switch (s.getType()) {
      case RECORD -> {
        if (!seen.add(s.getFullName())) {
          return;
        }
        for (Schema.Field f : s.getFields()) {
          if (f.doc() == null || f.doc().isBlank()) {
            missing.add(s.getFullName() + "." + f.name() + " has no doc");
          }
          visit(f.schema(), missing, seen);
        }
      }
      case ENUM -> {
        if (s.getEnumDefault() == null) {
          missing.add(s.getFullName() + " (enum) has no default");
        }
      }
      case UNION -> s.getTypes().forEach(t -> visit(t, missing, seen));
      case ARRAY -> visit(s.getElementType(), missing, seen);
      case MAP -> visit(s.getValueType(), missing, seen);
      default -> { }
    }
  }

  private static void check(String direction, Schema reader, Schema writer, List<String> problems) {
    var result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
      problems.add(reader.getFullName() + " is not " + direction + " compatible: " + result.getResult().getIncompatibilities());
    }
  }

  /** Top-level records other records embed, imported before the rest (as in the pom). */
  private static final java.util.Set<String> EMBEDDED = java.util.Set.of("Command.avsc", "ServiceInstance.avsc");

  /** Parses the sources the way the build does: shared types in common/ first. */
  static Map<String, Schema> currentSchemas() throws IOException {
    Schema.Parser parser = new Schema.Parser();
    List<Path> files = new ArrayList<>();
    try (Stream<Path> common = Files.list(SOURCES.resolve("common"))) {
      files.addAll(common.filter(f -> f.toString().endsWith(".avsc")).sorted().toList());
    }
    try (Stream<Path> top = Files.list(SOURCES)) {
      files.addAll(top.filter(f -> f.toString().endsWith(".avsc")).sorted().toList());
    }
    // the build's order: enums, then shared records in common/, then the records others embed, then the rest
    files.sort(Comparator.comparingInt((Path f) -> isEnum(f) ? 0 : f.getParent().endsWith("common") ? 1
        : EMBEDDED.contains(f.getFileName().toString()) ? 2 : 3));
    Map<String, Schema> schemas = new LinkedHashMap<>();
    for (Path f : files) {
      Schema s = parser.parse(f.toFile());
      if (s.getType() == Schema.Type.RECORD) {
        schemas.put(s.getFullName(), s);
      }
    }
    return schemas;
  }

  private static boolean isEnum(Path f) {
    try {
      return Files.readString(f).replaceAll("\\s", "").startsWith("{\"type\":\"enum\"");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Path latestSnapshot() throws IOException {
    if (!Files.isDirectory(COMPAT)) {
      return null;
    }
    try (Stream<Path> dirs = Files.list(COMPAT)) {
      return dirs.filter(d -> d.getFileName().toString().matches("v\\d+"))
          .max(Comparator.comparingInt(d -> Integer.parseInt(d.getFileName().toString().substring(1))))
          .orElse(null);
    }
  }

  private static Path writeSnapshot(Map<String, Schema> schemas, Path previous) throws IOException {
    int next = previous == null ? 1 : Integer.parseInt(previous.getFileName().toString().substring(1)) + 1;
    Path dir = COMPAT.resolve("v" + next);
    Files.createDirectories(dir);
    for (Schema s : schemas.values()) {
      Files.writeString(dir.resolve(s.getFullName() + ".avsc"), s.toString(true) + "\n", StandardCharsets.UTF_8);
    }
    return previous == null ? dir : previous;
  }
}
