package io.hotswap.protocol;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;

/**
 * Knows every schema version a reader may meet: those shipped in the jar plus those other
 * services published to {@code hotswap.avro-schemas.v1}. Thread-safe; schemas are only added.
 */
public final class HotSwapSchemaStore implements SchemaStore {

  private final Map<Long, Schema> byFingerprint = new ConcurrentHashMap<>();

  /** A store that already knows the shipped schemas. */
  public static HotSwapSchemaStore withShippedSchemas() {
    HotSwapSchemaStore store = new HotSwapSchemaStore();
    AvroSchemas.SHIPPED.forEach(store::add);
    return store;
  }

  /** Adds a schema; returns its CRC-64-AVRO parsing fingerprint. */
  public long add(Schema schema) {
    long fingerprint = fingerprint(schema);
    byFingerprint.putIfAbsent(fingerprint, schema);
    return fingerprint;
  }

  /** Parses schema JSON and adds it. */
  public long add(String schemaJson) {
    return add(new Schema.Parser().parse(schemaJson));
  }

  @Override
  public Schema findByFingerprint(long fingerprint) {
    return byFingerprint.get(fingerprint);
  }

  public Collection<Schema> schemas() {
    return byFingerprint.values();
  }

  public static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }
}
