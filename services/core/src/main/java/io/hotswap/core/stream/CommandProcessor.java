package io.hotswap.core.stream;

import io.hotswap.avro.Command;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
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

  private io.hotswap.protocol.KafkaTracing tracing = io.hotswap.protocol.KafkaTracing.NONE;

  @Override
  public final void init(ProcessorContext<String, O> context) {
    this.context = context;
    this.tracing = io.hotswap.protocol.KafkaTracing.from(context.appConfigs());
    this.outcomes = new RememberedOutcomes(context.getStateStore(outcomesStore), idempotencyWindow);
    start(context);
  }

  /** The stage's own stores and schedules. */
  protected abstract void start(ProcessorContext<String, O> context);

  /**
   * Judges the command in a span of the request's trace named after the stage and the command
   * ("validation CONFIG_UPDATE"), when the record carries one; what the stage forwards carries
   * that span on (see {@link io.hotswap.protocol.KafkaTracing}).
   */
  @Override
  public final void process(Record<String, Command> record) {
    Command command = record.value();
    if (command == null) {
      return;
    }
    try (io.hotswap.protocol.KafkaTracing.Hop hop = tracing.receive(stage() + " " + command.getType(), record.headers(), Map.of(
        "hotswap.tenant", String.valueOf(command.getTenantId()), "hotswap.command_id", String.valueOf(command.getCommandId()),
        "hotswap.stage", stage()))) {
      // what the stage logs while judging names the trace, the tenant and the command (JSON logs carry the MDC)
      Logs.put(io.hotswap.protocol.KafkaTracing.currentTraceId(), io.hotswap.protocol.KafkaTracing.currentSpanId(),
          command.getTenantId(), command.getCommandId());
      try {
        process(record, command, Instant.ofEpochMilli(context.currentSystemTimeMs()));
      } catch (RuntimeException e) {
        hop.failed(e);
        throw e;
      } finally {
        Logs.clear();
      }
    }
  }

  /** The stage's name in traces: validation, approval, rollout. */
  protected String stage() {
    return getClass().getSimpleName();
  }

  /** Judges one command at {@code now}. */
  protected abstract void process(Record<String, Command> record, Command command, Instant now);
}
