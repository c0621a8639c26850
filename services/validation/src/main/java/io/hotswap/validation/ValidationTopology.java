package io.hotswap.validation;

import io.hotswap.avro.ConfigSchema;
import io.hotswap.core.domain.ApprovalPolicy;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.stream.Stores;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * {@code commands → command-validator → changes | validated | command-results}: a passed change
 * goes straight to rollout unless approval has something to do with it (hold it, decide it: {@link
 * ApprovalPolicy#throughApproval}), which then gets it on {@code validated}. Pure: builds the
 * topology, does no I/O.
 *
 * <p>Validation owns no fact of the platform: rollout, which applies changes, is the one owner of
 * tenants, keys, versions, quotas and schemas, and judges everything that depends on them in the
 * transaction that applies the change. Validation checks what needs no state, and decides early
 * whether a new schema version needs an Admin's approval on read-only views of rollout's topics
 * (schemas, config-state — co-partitioned with the commands by tenant). A view may lag rollout by
 * a moment; rollout judges again, so a lag can delay an answer but never let a change through
 * unjudged.
 */
public final class ValidationTopology {

  public static final String OUTCOMES_STORE = "validation-outcomes-store";
  /** Schema versions waiting for an Admin's approval: validation's own fact (it holds them). */
  public static final String PENDING_STORE = "validation-pending-schemas-store";
  /** Read-only view of {@code hotswap.schemas.v1}: the latest version of each schema ({@code tenant|name}). */
  public static final String SCHEMAS_VIEW = "validation-schemas-view";
  /** Read-only view of {@code hotswap.config-state.v1} (a table of the topic): keys and their values, for judging new schema versions. */
  public static final String CONFIG_VIEW = "validation-config-view";

  private ValidationTopology() {}

  public static void build(StreamsBuilder builder, Serdes serdes, Duration idempotencyWindow) {
    Serde<String> keys = org.apache.kafka.common.serialization.Serdes.String();
    builder.addStateStore(io.hotswap.core.stream.RememberedOutcomes.store(OUTCOMES_STORE, serdes.commandResult(), idempotencyWindow));
    builder.addStateStore(Stores.keyValue(PENDING_STORE, serdes.command()));
    builder.addStateStore(Stores.keyValue(SCHEMAS_VIEW, serdes.configSchema()));

    builder.stream(Topics.SCHEMAS, Consumed.with(keys, serdes.configSchema()).withName("schemas-source"))
        .process(() -> new View<ConfigSchema>(SCHEMAS_VIEW, (k, s) -> StoreKeys.schema(s.getTenantId(), s.getName())), Named.as("schemas-view"),
            SCHEMAS_VIEW);
    // The view of live values is the topic itself, as a table: with the topology optimisation
    // every stage runs with (StreamsDefaults), a table read straight from a compacted topic is
    // restored from that topic and writes no changelog of its own, so validation's transactions
    // carry no copy of every write. It holds deleted keys too (rollout marks them deleted rather
    // than removing them); SchemaRules skips those. The view keeps each value as the bytes the
    // topic holds: it is read only to judge a new schema version against a tenant's values, while
    // every write on the platform passes through it, and decoding and re-encoding each one on the
    // way in took more of validation's thread than validating the commands (load-tests/RESULTS.md).
    // No record cache in front of it: nothing downstream reads the table's updates, so the cache
    // only held every new value for a few seconds before writing it through anyway — long enough to
    // survive young collections, so it filled the old generation with garbage (at 1,000 writes/s
    // the old generation grew 1.6-1.7 MB/s with it, 1.05-1.3 MB/s without; each full collection
    // that growth forces stops the platform for ~0.4 s; load-tests/RESULTS.md).
    Serde<byte[]> raw = org.apache.kafka.common.serialization.Serdes.ByteArray();
    builder.table(Topics.CONFIG_STATE, Consumed.with(keys, raw).withName("config-view"),
        Materialized.<String, byte[], KeyValueStore<Bytes, byte[]>>as(CONFIG_VIEW).withKeySerde(keys).withValueSerde(raw)
            .withCachingDisabled());

    builder.stream(Topics.COMMANDS, Consumed.with(keys, serdes.command()).withName("commands-source"))
        .process(() -> new CommandValidator(idempotencyWindow, serdes.configEntry()), Named.as("command-validator"),
            OUTCOMES_STORE, PENDING_STORE, SCHEMAS_VIEW, CONFIG_VIEW)
        .split(Named.as("decision-"))
        // what approval holds or decides goes to it; every other passed change straight to rollout
        .branch((k, d) -> d.passed() && d.toApproval(), Branched.<String, Decision>withConsumer(held -> held
                .mapValues(Decision::command, Named.as("to-approval-command"))
                .to(Topics.VALIDATED, Produced.with(keys, serdes.command()).withName("validated-sink")))
            .withName("to-approval"))
        .branch((k, d) -> d.passed(), Branched.<String, Decision>withConsumer(passed -> passed
                .mapValues(Decision::command, Named.as("passed-command"))
                .to(Topics.CHANGES, Produced.with(keys, serdes.command()).withName("changes-sink")))
            .withName("passed"))
        .defaultBranch(Branched.<String, Decision>withConsumer(rejected -> rejected
                .map((k, d) -> org.apache.kafka.streams.KeyValue.pair(d.rejection().getCommandId(), d.rejection()), Named.as("rejection-by-command-id"))
                .to(Topics.COMMAND_RESULTS, Produced.with(keys, serdes.commandResult()).withName("rejections-sink")))
            .withName("rejected"));
  }

  /**
   * Keeps a view of one of rollout's topics: each record under the key {@code keyOf} gives it
   * (null: the record removes what the topic's own key held). Schema versions are kept as the
   * latest of each schema; a version older than the one held is ignored.
   */
  private static final class View<V> implements Processor<String, V, Void, Void> {
    private final String store;
    private final java.util.function.BiFunction<String, V, String> keyOf;
    private KeyValueStore<String, V> view;

    View(String store, java.util.function.BiFunction<String, V, String> keyOf) {
      this.store = store;
      this.keyOf = keyOf;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      view = context.getStateStore(store);
    }

    @Override
    public void process(Record<String, V> record) {
      if (record.key() == null) {
        return;
      }
      V value = record.value();
      String key = value == null ? null : keyOf.apply(record.key(), value);
      if (key == null) {
        view.delete(record.key());
      } else if (!(value instanceof ConfigSchema s && view.get(key) instanceof ConfigSchema held && held.getVersion() > s.getVersion())) {
        view.put(key, value);
      }
    }
  }
}
