package io.hotswap.core.stream;

import io.hotswap.avro.CommandResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/** Drops remembered command outcomes older than the idempotency window. */
public final class Expiry {

  private Expiry() {}

  /** Removes entries decided before {@code now - retention}; returns how many were removed. */
  public static int purge(KeyValueStore<String, CommandResult> store, Instant now, Duration retention) {
    Instant cutoff = now.minus(retention);
    List<String> expired = new ArrayList<>();
    try (KeyValueIterator<String, CommandResult> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, CommandResult> kv = it.next();
        if (kv.value == null || kv.value.getDecidedAt().isBefore(cutoff)) {
          expired.add(kv.key);
        }
      }
    }
    expired.forEach(store::delete);
    return expired.size();
  }
}
