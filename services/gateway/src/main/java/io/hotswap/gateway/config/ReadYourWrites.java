package io.hotswap.gateway.config;

import io.hotswap.avro.ConfigEntry;
import io.hotswap.gateway.system.Waits;
import java.time.Duration;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Waits, bounded, until the owner's store serves a version a write just produced. */
final class ReadYourWrites {

  private ReadYourWrites() {}

  /** The entry at {@code key} once its version is at least {@code minVersion} (at once when it is null); else 503. */
  static ConfigEntry await(ReadOnlyKeyValueStore<String, ConfigEntry> store, String key, Long minVersion, Duration wait) {
    if (minVersion == null) {
      return store.get(key);
    }
    return Waits.until(() -> store.get(key), e -> e != null && e.getVersion() >= minVersion, wait,
        () -> "version " + minVersion + " of '" + key.replace('|', ':') + "' is applied but not readable yet; retry shortly");
  }
}
