package io.hotswap.validation;

import io.hotswap.core.avro.Serdes;
import io.hotswap.core.kafka.Topics;
import io.hotswap.core.stream.Stores;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * {@code commands → command-validator → validated | command-results}. Pure: builds the topology,
 * does no I/O.
 */
public final class ValidationTopology {

  public static final String TENANTS_STORE = "validation-tenants-store";
  public static final String KEYS_STORE = "validation-keys-store";
  public static final String COUNTS_STORE = "validation-counts-store";
  public static final String OUTCOMES_STORE = "validation-outcomes-store";
  public static final String SCHEMAS_STORE = "validation-schemas-store";
  public static final String PENDING_STORE = "validation-pending-schemas-store";
  public static final String VALUES_STORE = "validation-values-store";
  public static final String PROFILES_STORE = "validation-profiles-store";

  private ValidationTopology() {}

  public static void build(StreamsBuilder builder, Serdes serdes, Duration idempotencyWindow) {
    Serde<String> keys = org.apache.kafka.common.serialization.Serdes.String();
    builder.addStateStore(Stores.keyValue(TENANTS_STORE, serdes.tenant()));
    builder.addStateStore(Stores.keyValue(KEYS_STORE, keys));
    builder.addStateStore(Stores.keyValue(COUNTS_STORE, org.apache.kafka.common.serialization.Serdes.Long()));
    builder.addStateStore(io.hotswap.core.stream.RememberedOutcomes.store(OUTCOMES_STORE, serdes.commandResult(), idempotencyWindow));
    builder.addStateStore(Stores.keyValue(SCHEMAS_STORE, serdes.configSchema()));
    builder.addStateStore(Stores.keyValue(PENDING_STORE, serdes.command()));
    builder.addStateStore(Stores.keyValue(VALUES_STORE, keys));
    builder.addStateStore(Stores.keyValue(PROFILES_STORE, keys));

    builder.stream(Topics.COMMANDS, Consumed.with(keys, serdes.command()).withName("commands-source"))
        .process(() -> new CommandValidator(idempotencyWindow), Named.as("command-validator"),
            TENANTS_STORE, KEYS_STORE, COUNTS_STORE, OUTCOMES_STORE, SCHEMAS_STORE, PENDING_STORE, VALUES_STORE, PROFILES_STORE)
        .split(Named.as("decision-"))
        .branch((k, d) -> d.passed(), Branched.<String, Decision>withConsumer(passed -> passed
                .mapValues(Decision::command, Named.as("passed-command"))
                .to(Topics.VALIDATED, Produced.with(keys, serdes.command()).withName("validated-sink")))
            .withName("passed"))
        .defaultBranch(Branched.<String, Decision>withConsumer(rejected -> rejected
                .map((k, d) -> org.apache.kafka.streams.KeyValue.pair(d.rejection().getCommandId(), d.rejection()), Named.as("rejection-by-command-id"))
                .to(Topics.COMMAND_RESULTS, Produced.with(keys, serdes.commandResult()).withName("rejections-sink")))
            .withName("rejected"));
  }
}
