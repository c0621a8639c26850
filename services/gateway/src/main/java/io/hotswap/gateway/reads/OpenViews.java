package io.hotswap.gateway.reads;

import io.hotswap.avro.ConfigEntry;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;

/**
 * The current-value and history stores of each partition whose task runs on this instance now,
 * lent by the read topology from the moment the task starts processing until it closes (suspended,
 * moved, shut down). A read on the tenant's owner — and a write's read-back of its own result —
 * takes the store from here: Kafka Streams' interactive query finds the store anew on every call,
 * asking each stream thread for its tasks under the state updater's lock, and that look-up was
 * 17.5 % of a read's garbage and ~4 % of the platform's CPU samples at 600 writes/s
 * (load-tests/RESULTS.md). A partition not lent here — restoring, closing, owned elsewhere — is
 * read through the interactive query as before, which says whether it is there at all.
 */
public final class OpenViews {

  /** A running task's two stores of one partition. */
  record Lent(TimestampedKeyValueStore<String, ConfigEntry> current, TimestampedKeyValueStore<String, ConfigEntry> versions) {}

  private final ConcurrentHashMap<Integer, Lent> lent = new ConcurrentHashMap<>();

  void lend(int partition, Lent stores) {
    lent.put(partition, stores);
  }

  /** Only the stores this task lent: a task of the same partition that started since keeps its own. */
  void takeBack(int partition, Lent stores) {
    lent.remove(partition, stores);
  }

  /** The partition's current-value store while its task runs here and the store is open, else null. */
  TimestampedKeyValueStore<String, ConfigEntry> current(int partition) {
    Lent stores = lent.get(partition);
    return stores != null && stores.current().isOpen() ? stores.current() : null;
  }

  /** The partition's history store (every version of every key) while its task runs here and the store is open, else null. */
  TimestampedKeyValueStore<String, ConfigEntry> versions(int partition) {
    Lent stores = lent.get(partition);
    return stores != null && stores.versions().isOpen() ? stores.versions() : null;
  }
}
