package io.hotswap.gateway.config;

import io.hotswap.avro.ConfigEntry;
import io.hotswap.gateway.system.StoreRouter;
import java.time.Duration;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Waits, bounded, until the owner's store serves a version a write just produced. */
final class ReadYourWrites {

  private ReadYourWrites() {}

  /**
   * The entry at {@code key} once its version is at least {@code minVersion} (at once when it is
   * null); 503 ({@link StoreRouter.StoreUnavailable}) when it isn't within {@code wait}.
   */
  static ConfigEntry await(ReadOnlyKeyValueStore<String, ConfigEntry> store, String key, Long minVersion, Duration wait) {
    ConfigEntry entry = store.get(key);
    if (minVersion == null) {
      return entry;
    }
    long deadline = System.nanoTime() + wait.toNanos();
    while ((entry == null || entry.getVersion() < minVersion) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      entry = store.get(key);
    }
    if (entry == null || entry.getVersion() < minVersion) {
      throw new StoreRouter.StoreUnavailable("version " + minVersion + " of '" + key.replace('|', ':')
          + "' is applied but not readable yet; retry shortly");
    }
    return entry;
  }
}
