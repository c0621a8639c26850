package io.hotswap.client.test;

import io.hotswap.avro.LiveConfig;
import io.hotswap.client.internal.SnapshotFile;
import io.hotswap.protocol.AvroSchemas;
import io.hotswap.protocol.Serdes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a client snapshot file, in the format a client saves, so a client built with
 * {@code snapshotFile(...)} starts serving these values before (or without) reaching Kafka.
 */
public final class TestSnapshots {

  private TestSnapshots() {}

  public static void write(Path file, String environment, List<TestValue> values) throws IOException {
    AvroSchemas.trustGeneratedClasses();
    Map<String, LiveConfig> records = new LinkedHashMap<>();
    for (TestValue v : values) {
      if (v.isSecret()) {
        throw new IllegalArgumentException("a snapshot file keeps secrets sealed with the tenant's data key; use InMemoryHotSwap for secrets");
      }
      records.put(v.liveKey(), v.toRecord(environment, text -> text));
    }
    new SnapshotFile(file, environment, Serdes.create().liveConfig()).write(records, Instant.now());
  }

  public static void write(Path file, String environment, TestValue... values) throws IOException {
    write(file, environment, List.of(values));
  }
}
