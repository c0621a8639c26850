package io.hotswap.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.streams.Topology;

/**
 * Keeps {@code topology-docs/<service>/vN.topology.txt} true to the code: a test describes the
 * service's topology and fails when the newest released description differs, or when there is
 * none. Released descriptions are reference files, never rewritten: after an intended change of a
 * topology, {@code -Dhotswap.topology-docs.update=true} publishes the next version ({@code vN+1})
 * beside the others, and the change is reviewed as that new file.
 */
public final class TopologyDocs {

  private TopologyDocs() {}

  /** {@code topology-docs/} at the repository root, found from a module's working directory. */
  public static Path directory() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("topology-docs"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("topology-docs/ not found above " + Path.of("").toAbsolutePath());
    }
    return dir.resolve("topology-docs");
  }

  public static void assertDocumented(String service, Topology topology) throws IOException {
    Path dir = directory().resolve(service);
    String actual = topology.describe().toString().strip() + "\n";
    List<Path> releases = releases(dir);
    boolean update = Boolean.getBoolean("hotswap.topology-docs.update");
    if (update && (releases.isEmpty() || !Files.readString(releases.getLast(), StandardCharsets.UTF_8).equals(actual))) {
      Files.createDirectories(dir);
      Path next = dir.resolve("v" + (releases.size() + 1) + ".topology.txt");
      Files.writeString(next, actual, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW);
      releases = releases(dir);
    }
    assertThat(releases).as("topology-docs/%s/ has no released description; publish v1 with -Dhotswap.topology-docs.update=true", service)
        .isNotEmpty();
    assertThat(Files.readString(releases.getLast(), StandardCharsets.UTF_8))
        .as("topology-docs/%s/%s no longer describes the code; if the change is intended, publish the next version with "
            + "-Dhotswap.topology-docs.update=true and commit it", service, releases.getLast().getFileName())
        .isEqualTo(actual);
  }

  /** The released descriptions of a service, oldest first. */
  private static List<Path> releases(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().matches("v\\d+\\.topology\\.txt"))
          .sorted(Comparator.comparingInt(f -> Integer.parseInt(f.getFileName().toString().replaceAll("\\D", ""))))
          .toList();
    }
  }
}
