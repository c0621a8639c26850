package io.hotswap.client;

import io.hotswap.avro.LiveConfig;
import io.hotswap.core.avro.Serdes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/** Benchmarks only: writes a client snapshot file, so a client can be loaded without a broker. */
public final class SnapshotFiles {

  private SnapshotFiles() {}

  public static void write(Path file, String environment, Map<String, LiveConfig> records) throws IOException {
    new SnapshotFile(file, environment, Serdes.create().liveConfig()).write(records, Instant.now());
  }
}
