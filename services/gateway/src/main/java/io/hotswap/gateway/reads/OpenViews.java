package io.hotswap.gateway.reads;

import io.hotswap.avro.ConfigEntry;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;

/**
 * The current-value store of each partition whose task runs on this instance now, lent by the read
 * topology from the moment the task starts processing until it closes (suspended, moved, shut
 * down). A read on the tenant's owner takes the store from here: Kafka Streams' interactive query
 * finds the store anew on every call, asking each stream thread for its tasks under the state
 * updater's lock, and that look-up was 17.5 % of a read's garbage (load-tests/RESULTS.md). A
 * partition not lent here — restoring, closing, owned elsewhere — is read through the interactive
 * query as before, which says whether it is there at all.
 */
public final class OpenViews {

  private final ConcurrentHashMap<Integer, TimestampedKeyValueStore<String, ConfigEntry>> current = new ConcurrentHashMap<>();

  void lend(int partition, TimestampedKeyValueStore<String, ConfigEntry> store) {
    current.put(partition, store);
  }

  /** Only the store this task lent: a task of the same partition that started since keeps its own. */
  void takeBack(int partition, TimestampedKeyValueStore<String, ConfigEntry> store) {
    current.remove(partition, store);
  }

  /** The partition's current-value store while its task runs here and the store is open, else null. */
  TimestampedKeyValueStore<String, ConfigEntry> current(int partition) {
    TimestampedKeyValueStore<String, ConfigEntry> store = current.get(partition);
    return store != null && store.isOpen() ? store : null;
  }
}
