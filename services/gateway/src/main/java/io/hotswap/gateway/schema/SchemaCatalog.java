package io.hotswap.gateway.schema;

import io.hotswap.avro.ConfigSchema;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.schema.ConfigSchemas;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads of the schema registry from the gateway's global store of every schema version ({@code
 * tenant|name|version}): a schema's versions, a tenant's latest versions, and the schema in force
 * for a key.
 */
public final class SchemaCatalog {

  private final StoreRouter router;

  public SchemaCatalog(StoreRouter router) {
    this.router = router;
  }

  /** Every version of a schema, oldest first; empty when there is none. */
  public List<ConfigSchema> versions(String tenant, String name) {
    List<ConfigSchema> out = new ArrayList<>();
    try (KeyValueIterator<String, ConfigSchema> it = store().prefixScan(StoreKeys.schema(tenant, name) + StoreKeys.SEP, Serdes.String().serializer())) {
      it.forEachRemaining(kv -> out.add(kv.value));
    }
    return out;
  }

  public ConfigSchema version(String tenant, String name, int version) {
    return store().get(StoreKeys.schemaVersion(tenant, name, version));
  }

  /** The latest version of each of a tenant's schemas, by name. */
  public List<ConfigSchema> latest(String tenant) {
    Map<String, ConfigSchema> latest = new LinkedHashMap<>();
    try (KeyValueIterator<String, ConfigSchema> it = store().prefixScan(StoreKeys.tenantPrefix(tenant), Serdes.String().serializer())) {
      it.forEachRemaining(kv -> latest.put(kv.value.getName(), kv.value));
    }
    return new ArrayList<>(latest.values());
  }

  /** The schema in force for a configuration key, or null. */
  public ConfigSchema governing(String tenant, String key) {
    return ConfigSchemas.governing(latest(tenant), key);
  }

  private ReadOnlyKeyValueStore<String, ConfigSchema> store() {
    return router.globalStore(ReadTopology.SCHEMAS_STORE);
  }
}
