package io.hotswap.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.streams.Topology;

/**
 * Keeps {@code topology-docs/<service>.txt} true to the code: a test describes the service's
 * topology and fails when the committed file differs. Regenerate with {@code
 * -Dhotswap.topology-docs.update=true}.
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
    Path file = directory().resolve(service + ".topology.txt");
    String actual = topology.describe().toString().strip() + "\n";
    if (Boolean.getBoolean("hotswap.topology-docs.update") || !Files.exists(file)) {
      Files.writeString(file, actual, StandardCharsets.UTF_8);
    }
    assertThat(Files.readString(file, StandardCharsets.UTF_8))
        .as("topology-docs/%s.topology.txt is out of date; regenerate it with -Dhotswap.topology-docs.update=true and commit it", service)
        .isEqualTo(actual);
  }
}
