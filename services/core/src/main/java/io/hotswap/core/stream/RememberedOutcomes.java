package io.hotswap.core.stream;

import io.hotswap.avro.CommandResult;
import io.hotswap.protocol.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * What a stage answered each command it decided, remembered for the idempotency window so that a
 * retry (same command id) is answered the same way instead of being decided again.
 *
 * <p>Held in a window store: outcomes live in time segments that Kafka Streams drops whole once
 * they are older than the window. Forgetting therefore costs nothing per outcome — no scan of the
 * store on the stream thread and no tombstone per outcome in the changelog, whose retention the
 * window bounds as well. (At 1,000 commands/s a 24 h window holds 86 M outcomes; the scan-and-delete
 * purge this replaces read all of them every hour.)
 */
public final class RememberedOutcomes {

  private final WindowStore<String, CommandResult> store;
  private final Duration window;

  public RememberedOutcomes(WindowStore<String, CommandResult> store, Duration window) {
    this.store = store;
    this.window = window;
  }

  /** The store: persistent, logged, keyed by command id, keeping each outcome for {@code window}. */
  public static StoreBuilder<WindowStore<String, CommandResult>> store(String name, Serde<CommandResult> serde, Duration window) {
    return Stores.windowStoreBuilder(Stores.persistentWindowStore(name, window, Duration.ofMillis(1), false), Serdes.String(), serde)
        .withLoggingEnabled(Map.of("max.message.bytes", Integer.toString(Topics.MAX_MESSAGE_BYTES)));
  }

  /**
   * The outcome remembered for {@code command}'s id, or null when none was decided within the
   * window before {@code nowMs}. Outcomes stamped a little after {@code nowMs} count too: after a
   * failover the next instance's clock may be behind the one that decided. Always null for a
   * one-off command: nothing is remembered for those (see {@link #put}).
   */
  public CommandResult get(io.hotswap.avro.Command command, long nowMs) {
    if (command.getOneOff()) {
      return null;
    }
    // the milliseconds overload: the Instant one formats an error-message prefix on every call
    // (Kafka Streams' argument check), a measurable share of a stage's CPU at 1,000 commands/s
    long span = window.toMillis();
    try (WindowStoreIterator<CommandResult> it = store.backwardFetch(command.getCommandId(), nowMs - span, nowMs + span)) {
      return it.hasNext() ? it.next().value : null;
    }
  }

  /**
   * Remembers what was decided for {@code command}'s id at {@code nowMs} — unless the command is
   * one-off: its id was made up by the gateway for a single request without an Idempotency-Key,
   * and under exactly-once a stage sees each record once (an aborted transaction takes the store's
   * writes with it), so no second delivery could ever ask. Remembering would cost a look-up, a
   * store write and a changelog record in the broker on every plain write, for nothing.
   */
  public void put(io.hotswap.avro.Command command, CommandResult outcome, long nowMs) {
    if (!command.getOneOff()) {
      store.put(command.getCommandId(), outcome, nowMs);
    }
  }

  /** A command's answer, and whether it was remembered from an earlier delivery of the same id. */
  public record Answer(CommandResult result, boolean remembered) {

    /** Decided now, and refused: what the decision wrote is to be dropped. */
    public boolean freshlyRejected() {
      return !remembered && result.getOutcome() == io.hotswap.avro.Outcome.REJECTED;
    }
  }

  /**
   * Answers a command as every stage does: as it was answered the first time when its id is
   * remembered (an Idempotency-Key retry, a redelivery), else by {@code decide} — a {@link
   * io.hotswap.core.domain.Rejection} it throws is the answer, refused by {@code stage} — and the
   * answer is remembered for the window.
   */
  public Answer answer(io.hotswap.avro.Command command, Instant now, String stage, java.util.function.Supplier<CommandResult> decide) {
    CommandResult previous = get(command, now.toEpochMilli());
    if (previous != null) {
      return new Answer(previous, true);
    }
    CommandResult result;
    try {
      result = decide.get();
    } catch (io.hotswap.core.domain.Rejection rejection) {
      result = CommandResults.rejected(command, rejection, stage, now);
    }
    put(command, result, now.toEpochMilli());
    return new Answer(result, false);
  }
}
