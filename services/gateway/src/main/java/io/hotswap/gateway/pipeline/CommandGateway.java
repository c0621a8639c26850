package io.hotswap.gateway.pipeline;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.core.domain.Rejection;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.context.SmartLifecycle;

/**
 * Synchronous API over the asynchronous pipeline: sends a command keyed by tenant and waits,
 * bounded, for the {@link CommandResult} with its id. Every gateway instance reads every partition
 * of {@code command-results} (committed records only), so an answer finds its waiter wherever the
 * request arrived; waiters are removed on answer and on timeout, so none leak.
 */
public final class CommandGateway implements SmartLifecycle {

  /** How long the command producer waits to put concurrent writes' commands in one request. */
  static final int COMMAND_LINGER_MS = 2;

  private final Map<String, Object> clientProps;
  private final Serdes serdes;
  private final Duration timeout;
  private final Map<String, CompletableFuture<CommandResult>> waiters = new ConcurrentHashMap<>();
  private final AtomicBoolean running = new AtomicBoolean();
  private KafkaProducer<String, byte[]> producer;
  private KafkaConsumer<String, byte[]> consumer;
  private io.hotswap.core.kafka.PollLoop<String, byte[]> results;
  private final io.micrometer.core.instrument.MeterRegistry meters;
  private final io.hotswap.protocol.KafkaTracing tracing;

  public CommandGateway(Map<String, Object> clientProps, Serdes serdes, Duration timeout) {
    this(clientProps, serdes, timeout, new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), io.hotswap.protocol.KafkaTracing.NONE);
  }

  /**
   * Measures each command it sends as {@code commands.duration} (tags {@code type} and
   * {@code outcome}: applied, pending, rejected or timeout; a histogram — the seeds'
   * {@code config.update.duration} is its {@code type="CONFIG_UPDATE"} series). Why a command was
   * rejected is counted where the answer is given ({@code requests.rejected}, ProblemHandler).
   */
  public CommandGateway(Map<String, Object> clientProps, Serdes serdes, Duration timeout, io.micrometer.core.instrument.MeterRegistry meters,
                        io.hotswap.protocol.KafkaTracing tracing) {
    this.clientProps = Map.copyOf(clientProps);
    this.serdes = serdes;
    this.timeout = timeout;
    this.meters = meters;
    this.tracing = tracing;
  }

  /** Thrown when the pipeline does not answer within the timeout; the command may still apply. */
  public static final class PipelineTimeout extends RuntimeException {
    private final String commandId;

    public PipelineTimeout(String commandId, Duration timeout) {
      super("The pipeline did not answer command " + commandId + " within " + timeout.toMillis()
          + " ms; it may still be applied. Retry with the same Idempotency-Key to get its result.");
      this.commandId = commandId;
    }

    public String commandId() {
      return commandId;
    }
  }

  /** Sends the command and waits for its result; a rejection becomes the {@link Rejection} it carries (4xx). */
  public CommandResult submitOrReject(Command command) {
    return submitOrReject(Topics.COMMANDS, command.getTenantId(), command);
  }

  /** Sends the command and waits for its result. */
  public CommandResult submit(Command command) {
    return submit(Topics.COMMANDS, command.getTenantId(), command);
  }

  /**
   * Sends the command to {@code topic} under {@code key} and waits for its result; a rejection
   * becomes the {@link Rejection} it carries (4xx). Wave deployments' commands go to their own topic.
   */
  public CommandResult submitOrReject(String topic, String key, Command command) {
    CommandResult result = submit(topic, key, command);
    if (result.getOutcome() == io.hotswap.avro.Outcome.REJECTED) {
      throw new Rejection(result.getStatus(), result.getErrorType(), result.getDetail(), result.getField()).withErrors(result.getErrors());
    }
    return result;
  }

  private CommandResult submit(String topic, String key, Command command) {
    CompletableFuture<CommandResult> answer = waiters.computeIfAbsent(command.getCommandId(), id -> new CompletableFuture<>());
    long started = System.nanoTime();
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, serdes.command().toBytes(command));
    // the request's trace goes on with the command: validation, approval and rollout continue it
    // what is logged while the command is out names it and its tenant (the trace ids are Micrometer's, on this thread)
    org.slf4j.MDC.put(io.hotswap.core.stream.Logs.TENANT_ID, command.getTenantId());
    org.slf4j.MDC.put(io.hotswap.core.stream.Logs.COMMAND_ID, command.getCommandId());
    try (io.hotswap.protocol.KafkaTracing.Hop hop = tracing.send("gateway " + command.getType(), record.headers(),
        Map.of("hotswap.tenant", String.valueOf(command.getTenantId()), "hotswap.command_id", command.getCommandId(), "hotswap.stage", "gateway"))) {
      producer.send(record).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      CommandResult result = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      measure(command, result.getOutcome().name(), started);
      hop.attribute("hotswap.outcome", result.getOutcome().name());
      return result;
    } catch (TimeoutException e) {
      measure(command, "timeout", started);
      throw new PipelineTimeout(command.getCommandId(), timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PipelineTimeout(command.getCommandId(), timeout);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Could not send command " + command.getCommandId() + ": " + e.getCause().getMessage(), e.getCause());
    } finally {
      waiters.remove(command.getCommandId(), answer);
      org.slf4j.MDC.remove(io.hotswap.core.stream.Logs.TENANT_ID);
      org.slf4j.MDC.remove(io.hotswap.core.stream.Logs.COMMAND_ID);
    }
  }

  private void measure(Command command, String outcome, long started) {
    io.micrometer.core.instrument.Timer.builder("commands.duration")
        .description("From sending a command to the pipeline's answer, by command type and outcome")
        .tag("type", command.getType().name()).tag("outcome", outcome.toLowerCase(java.util.Locale.ROOT))
        .publishPercentileHistogram().register(meters)
        .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
  }

  /**
   * The result of a command someone else sends (an approved change that the approval service
   * releases): call before the action that causes it, then {@link #await}. Null when the pipeline
   * did not answer within the timeout.
   */
  public CompletableFuture<CommandResult> expect(String commandId) {
    return waiters.computeIfAbsent(commandId, id -> new CompletableFuture<>());
  }

  /** Waits, bounded, for what {@link #expect} registered; null on timeout. Always forgets the waiter. */
  public CommandResult await(String commandId, CompletableFuture<CommandResult> answer) {
    try {
      return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } finally {
      waiters.remove(commandId, answer);
    }
  }

  /** Forgets what {@link #expect} registered without waiting. */
  public void forget(String commandId, CompletableFuture<CommandResult> answer) {
    waiters.remove(commandId, answer);
  }

  /** Publishes an audit event for something that is not a state change (a secret revealed); waits for the broker. */
  public void audit(io.hotswap.avro.AuditEvent event) {
    publish(Topics.AUDIT, event.getTenantId(), serdes.auditEvent().toBytes(event));
  }

  /** Writes one record outside the command pipeline (audit events, instance heartbeats); waits for the broker. */
  public void publish(String topic, String key, byte[] value) {
    try {
      producer.send(new ProducerRecord<>(topic, key, value)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing to " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not write to " + topic + ": " + e.getMessage(), e);
    }
  }

  /** Partitions of {@code topic}, as this gateway's producer sees them. */
  public int partitions(String topic) {
    return producer.partitionsFor(topic).size();
  }

  @Override
  public void start() {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // Each request thread sends its own command; waiting up to 2 ms lets the concurrent ones share a
    // produce request (the broker's cost is per request more than per record: at 1,000 writes/s one
    // request per write was the largest share of its produce work). At 1,000 writes/s the broker's
    // threads took 0.37 cores in a run with it against 0.39-0.42 without; an earlier run at 500-700
    // writes/s showed no difference (load-tests/RESULTS.md, 2026-12-04). A write waits ~1 ms more on
    // average; Kafka 4's own default is 5 ms.
    p.put(ProducerConfig.LINGER_MS_CONFIG, COMMAND_LINGER_MS);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
    producer = new KafkaProducer<>(p);

    Map<String, Object> c = new HashMap<>(clientProps);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    consumer = new KafkaConsumer<>(c);
    List<TopicPartition> partitions = new ArrayList<>();
    consumer.partitionsFor(Topics.COMMAND_RESULTS, Duration.ofSeconds(60))
        .forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // resolve now: results of commands sent after start() are never missed
    running.set(true);
    results = io.hotswap.core.kafka.PollLoop.start("hotswap-command-results", consumer, this::complete,
        "command-results reader stopped; writes will time out until restart");
  }

  /** Completes the waiters of the results in a batch. */
  private void complete(org.apache.kafka.clients.consumer.ConsumerRecords<String, byte[]> records) {
    for (ConsumerRecord<String, byte[]> r : records) {
      CompletableFuture<CommandResult> waiter = waiters.get(r.key());
      if (waiter == null || r.value() == null) {
        continue;
      }
      try {
        waiter.complete(serdes.commandResult().fromBytes(r.value()));
      } catch (RuntimeException e) {
        waiter.completeExceptionally(e);
      }
    }
  }

  @Override
  public void stop() {
    running.set(false);
    if (results != null) {
      results.stop(false);
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
    waiters.values().forEach(w -> w.completeExceptionally(new IllegalStateException("gateway stopping")));
  }

  @Override
  public boolean isRunning() {
    return running.get();
  }

  /** Before the web server takes traffic, after the streams. */
  @Override
  public int getPhase() {
    return Integer.MAX_VALUE - 2000;
  }
}
