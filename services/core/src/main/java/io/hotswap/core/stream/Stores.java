package io.hotswap.core.stream;

import io.hotswap.protocol.Topics;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/** Persistent, logged key-value stores with changelogs sized for HotSwap's largest records. */
public final class Stores {

  private Stores() {}

  public static <V> StoreBuilder<KeyValueStore<String, V>> keyValue(String name, Serde<V> valueSerde) {
    return org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
            org.apache.kafka.streams.state.Stores.persistentKeyValueStore(name), Serdes.String(), valueSerde)
        .withLoggingEnabled(Map.of("max.message.bytes", Integer.toString(Topics.MAX_MESSAGE_BYTES)));
  }
}
