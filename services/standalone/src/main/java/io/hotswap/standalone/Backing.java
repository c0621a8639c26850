package io.hotswap.standalone;

import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the services run on, as {@code ./hotswap up} and {@code ./hotswap cluster} give it: a Kafka
 * broker (embedded KRaft unless {@code HOTSWAP_KAFKA_BOOTSTRAP} names one), PostgreSQL (embedded
 * unless {@code HOTSWAP_DB_URL} names one) and object storage for plugin binaries (a local S3 API
 * unless {@code HOTSWAP_S3_ENDPOINT} names one). Closing stops only what was started here.
 */
record Backing(KafkaBroker broker, Postgres postgres, String bootstrap, ObjectStorage storage) implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Backing.class);

  static Backing start(Map<String, String> env, Path data) throws Exception {
    String bootstrap = env.get("HOTSWAP_KAFKA_BOOTSTRAP");
    KafkaBroker broker = null;
    ObjectStorage storage = null;
    try {
      if (bootstrap == null || bootstrap.isBlank()) {
        broker = new KafkaBroker(data, Integer.parseInt(get(env, "HOTSWAP_KAFKA_PORT", "9092")),
            Integer.parseInt(get(env, "HOTSWAP_KAFKA_CONTROLLER_PORT", "9093"))).start();
        bootstrap = broker.bootstrapServers();
      }
      String dbUrl = env.get("HOTSWAP_DB_URL");
      Postgres postgres = dbUrl == null || dbUrl.isBlank()
          ? Postgres.embedded(data, Integer.parseInt(get(env, "HOTSWAP_DB_PORT", "5433")))
          : Postgres.external(dbUrl, get(env, "HOTSWAP_DB_USER", "hotswap"), get(env, "HOTSWAP_DB_PASSWORD", "hotswap"));
      try {
        storage = ObjectStorage.start(env, data);
      } catch (Exception | Error e) {
        postgres.close();
        throw e;
      }
      return new Backing(broker, postgres, bootstrap, storage);
    } catch (Exception | Error e) {
      if (broker != null) {
        broker.close();
      }
      throw e;
    }
  }

  @Override
  public void close() {
    storage.close();
    if (broker != null) {
      broker.close();
    }
    try {
      postgres.close();
    } catch (Exception e) {
      LOG.warn("PostgreSQL did not stop cleanly: {}", e.getMessage());
    }
  }

  /** {@code env}'s value of {@code name}, or {@code fallback} when unset or blank. */
  static String get(Map<String, String> env, String name, String fallback) {
    String v = env.get(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
