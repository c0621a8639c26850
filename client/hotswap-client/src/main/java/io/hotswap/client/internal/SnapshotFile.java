package io.hotswap.client.internal;

import io.hotswap.avro.LiveConfig;
import io.hotswap.protocol.AvroSerde;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The last snapshot on disk, for starts while Kafka is unreachable. Records are kept exactly as
 * they were on the live topic (Avro, base64): secrets stay ciphertext. Written atomically (a
 * temporary file in the same directory, then a rename), so a crash leaves the old or the new
 * file, never half of one.
 */
public final class SnapshotFile {

  static final int FORMAT = 1;
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  public record Loaded(Instant savedAt, Map<String, LiveConfig> records) {}

  private final Path path;
  private final String environment;
  private final AvroSerde<LiveConfig> serde;

  public SnapshotFile(Path path, String environment, AvroSerde<LiveConfig> serde) {
    this.path = path;
    this.environment = environment;
    this.serde = serde;
  }

  public Path path() {
    return path;
  }

  public void write(Map<String, LiveConfig> records, Instant savedAt) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("environment", environment);
    root.put("savedAt", savedAt.toEpochMilli());
    ArrayNode list = root.putArray("records");
    Base64.Encoder b64 = Base64.getEncoder();
    records.forEach((k, v) -> list.addObject().put("k", k).put("v", b64.encodeToString(serde.toBytes(v))));
    Path dir = path.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
    try {
      Files.write(tmp, JSON.writeValueAsBytes(root));
      try {
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** The saved snapshot, or null when there is none, it is for another environment, or unreadable. */
  public Loaded read() throws IOException {
    if (!Files.isRegularFile(path)) {
      return null;
    }
    JsonNode root = JSON.readTree(path.toFile());
    if (root.path("format").asInt() != FORMAT || !environment.equals(root.path("environment").asString(""))) {
      return null;
    }
    Map<String, LiveConfig> records = new LinkedHashMap<>();
    Base64.Decoder b64 = Base64.getDecoder();
    for (JsonNode r : root.path("records")) {
      records.put(r.get("k").asString(), serde.fromBytes(b64.decode(r.get("v").asString())));
    }
    return new Loaded(Instant.ofEpochMilli(root.path("savedAt").asLong()), records);
  }
}
