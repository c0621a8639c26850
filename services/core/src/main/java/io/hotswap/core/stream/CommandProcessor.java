package io.hotswap.core.stream;

import io.hotswap.avro.Command;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * What every stage of the pipeline (validation, approval, rollout) does before judging a command:
 * skips a record without a command (a tombstone, or one the deserialization handler let through),
 * reads the stream time as "now", and keeps the stage's memory of answers
 * ({@link RememberedOutcomes}, for retries with the same command id).
 */
public abstract class CommandProcessor<O> implements Processor<String, Command, String, O> {

  private final String outcomesStore;
  private final Duration idempotencyWindow;
  protected ProcessorContext<String, O> context;
  /** The answers this stage gave, by command id, for the idempotency window. */
  protected RememberedOutcomes outcomes;

  protected CommandProcessor(String outcomesStore, Duration idempotencyWindow) {
    this.outcomesStore = outcomesStore;
    this.idempotencyWindow = idempotencyWindow;
  }

  @Override
  public final void init(ProcessorContext<String, O> context) {
    this.context = context;
    this.outcomes = new RememberedOutcomes(context.getStateStore(outcomesStore), idempotencyWindow);
    start(context);
  }

  /** The stage's own stores and schedules. */
  protected abstract void start(ProcessorContext<String, O> context);

  @Override
  public final void process(Record<String, Command> record) {
    if (record.value() != null) {
      process(record, record.value(), Instant.ofEpochMilli(context.currentSystemTimeMs()));
    }
  }

  /** Judges one command at {@code now}. */
  protected abstract void process(Record<String, Command> record, Command command, Instant now);
}
