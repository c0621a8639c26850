package io.hotswap.core.kafka;

import io.hotswap.protocol.Topics;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules every HotSwap Streams application runs by, applied on top of whatever the deployer
 * configured (bootstrap servers, security, state dir): exactly-once v2, explicit names for every
 * internal resource, poison records to {@link Topics#DLQ} with the reason in headers (Kafka's
 * native dead-letter support), and records up to {@link Topics#MAX_MESSAGE_BYTES}.
 */
public final class StreamsDefaults {

  private static final Logger LOG = LoggerFactory.getLogger(StreamsDefaults.class);

  /** Longest wait of a processed record for its stage's transaction to commit; see {@link #apply}. */
  public static final long COMMIT_INTERVAL_MS = 20;

  /** How long each stage's producer waits to fill a batch; see {@link #apply}. */
  public static final long LINGER_MS = 5;

  /** Producer retry back-off of every Streams application; see {@link #apply}. */
  public static final long RETRY_BACKOFF_MS = 10;

  private StreamsDefaults() {}

  public static Map<String, Object> apply(Map<String, Object> configured, String applicationId) {
    Map<String, Object> props = new HashMap<>(configured);
    props.putIfAbsent(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    // Under exactly-once, a stage's output is visible only when its transaction commits, and a
    // change crosses three stages. The EOS default of 100 ms cost push latency (p50 224 ms against
    // 27 ms, load-tests/RESULTS.md); committing after every processed batch (0) kept latency low but
    // made the broker's transaction work (partitions added, offsets, markers) the price of every
    // write: under load ~6 ms of broker CPU per write and ~75 writes/s on two cores. Every 20 ms
    // gathers what arrived in that time into one transaction (300 writes/s held, see the capacity
    // section of RESULTS.md); the price is ~10 ms per stage on average even when idle (push p50
    // ~75 ms against ~30 ms). Deployments that write little and want the lowest latency set
    // spring.kafka.streams.properties.commit.interval.ms=0 (and poll.ms=100).
    props.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS);
    // ...and a stream thread with nothing new to read blocks in poll for poll.ms (100 ms by default)
    // before it looks at the commit interval again: a record processed just after a commit then
    // waited up to 100 ms for its own (per-stage push-latency p99 86-106 ms with a 100 ms poll).
    props.putIfAbsent(StreamsConfig.POLL_MS_CONFIG, COMMIT_INTERVAL_MS);
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    // A table read straight from a compacted topic (the gateway's views, validation's view of live
    // values) is restored from that topic instead of from a changelog of its own: without this,
    // each such table wrote a copy of every record it read, inside the stage's transaction.
    // Only the source-table reuse: the other optimisations would rename repartition topics.
    props.putIfAbsent(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.REUSE_KTABLE_SOURCE_TOPICS);
    props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueProcessingExceptionHandler.class);
    props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.DLQ);
    props.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), Topics.MAX_MESSAGE_BYTES);
    // A stage's output waits for its transaction's commit anyway (every 20 ms, which flushes the
    // producer whatever its linger), so waiting 5 ms to fill a batch costs a change next to nothing
    // while it cuts the produce requests each stage sends the broker under load: with 5 ms instead
    // of 0, 700 writes/s went from p99 0.8-3 s to 111 ms on two cores, and the idle push latency
    // did not move (load-tests/RESULTS.md, 2026-12-04; 15 ms was no better).
    props.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), LINGER_MS);
    // Back-to-back transactions: a transaction's offset commit (TxnOffsetCommit) that arrives while
    // the previous transaction's markers are still being written is answered CONCURRENT_TRANSACTIONS
    // and retried after retry.backoff.ms, a flat 100 ms by default, which was the whole p99 tail of
    // push latency (load-tests/RESULTS.md). 10 ms retries sooner; retry.backoff.max.ms (1 s) still
    // caps the exponential back-off of produce retries against a struggling broker.
    props.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), RETRY_BACKOFF_MS);
    props.putIfAbsent(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), Topics.MAX_MESSAGE_BYTES);
    // Kafka's 500 ms fetch wait would cut the idle platform's fetch work (0.19-0.22 instead of
    // 0.28-0.33 cores idle), but writes and pushes were slower with it in 7 of 8 interleaved
    // comparisons, also with task idling turned off for validation, whose task waits for a fetch
    // answer on each of its three inputs (load-tests/RESULTS.md, 2026-12-03). Kept at 50 ms.
    props.putIfAbsent(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 50);
    // No task idling: a task with several inputs (validation's commands and its views, rollout's
    // wave signals, the gateway's tables) processes what it has instead of waiting to fetch an
    // input it knows has more. Idling only orders records across topics by timestamp, which no
    // stage relies on — what must be ordered travels on one partition of one topic — and on every
    // record it cost Kafka Streams' readiness check a formatted log line built whether logged or
    // not (~2 % of the platform's CPU samples at 1,000 writes/s, load-tests/RESULTS.md).
    props.putIfAbsent(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
    props.putIfAbsent(StreamsConfig.topicPrefix("max.message.bytes"), Integer.toString(Topics.MAX_MESSAGE_BYTES));
    return props;
  }

  /**
   * The rules for a read side that only materialises compacted topics of versioned upserts into
   * stores for queries (the gateway): everything of {@link #apply} but at-least-once. Replaying a
   * record after a crash writes the same value again, so exactly-once buys nothing there, and its
   * transactions cost the broker as much as a pipeline stage's. It still reads only committed
   * records ({@code read_committed}): a view must never show a change whose transaction aborted.
   * Offsets are committed every second unless configured (they only bound the replay after a crash).
   */
  public static Map<String, Object> applyReadSide(Map<String, Object> configured, String applicationId) {
    Map<String, Object> props = apply(configured, applicationId);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
    if (!configured.containsKey(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)) {
      props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
    }
    return props;
  }

  /**
   * Replaces a dead stream thread and says so loudly; the task's transaction was aborted, so the
   * new thread re-processes from the last committed offsets and nothing is lost or duplicated.
   */
  public static StreamsUncaughtExceptionHandler replaceThreadHandler(String service) {
    return exception -> {
      LOG.error("{}: stream thread died; replacing it (uncommitted work is re-processed)", service, exception);
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    };
  }
}
