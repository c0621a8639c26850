package io.hotswap.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotswap.protocol.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

class TopicsAndPartitioningTest {

  @Test
  void shouldCompactStateTopicsAndKeepTheAuditForever() {
    Map<String, NewTopic> topics = new Topics(6, (short) 3).newTopics().stream()
        .collect(Collectors.toMap(NewTopic::name, Function.identity()));

    for (String compacted : new String[] {Topics.TENANTS, Topics.CONFIG_STATE, Topics.CONFIG_VERSIONS,
        Topics.live("development"), Topics.live("production"), Topics.AVRO_SCHEMAS}) {
      assertThat(topics.get(compacted).configs()).containsEntry("cleanup.policy", "compact");
    }
    assertThat(topics.get(Topics.AUDIT).configs()).containsEntry("cleanup.policy", "delete").containsEntry("retention.ms", "-1");
    assertThat(topics.get(Topics.COMMANDS).numPartitions()).isEqualTo(6);
    assertThat(topics.get(Topics.COMMANDS).replicationFactor()).isEqualTo((short) 3);
    assertThat(topics.get(Topics.AVRO_SCHEMAS).numPartitions()).isEqualTo(1);
    assertThat(topics.values()).allSatisfy(t ->
        assertThat(t.configs()).containsEntry("max.message.bytes", Integer.toString(Topics.MAX_MESSAGE_BYTES)));
    assertThat(Topics.liveTopics()).containsExactly("hotswap.live.development.v1", "hotswap.live.qa.v1",
        "hotswap.live.staging.v1", "hotswap.live.production.v1");
  }

  @Test
  void shouldRefuseNonsensicalTopicSettings() {
    assertThatThrownBy(() -> new Topics(0, (short) 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Topics(1, (short) 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldPutCompositeKeysInTheSamePartitionAsTheirTenant() {
    for (String tenant : new String[] {"acme", "globex", "initech", "umbrella-42"}) {
      int byDefault = Utils.toPositive(Utils.murmur2(tenant.getBytes(StandardCharsets.UTF_8))) % 7;
      assertThat(TenantPartitioner.partition(tenant, 7)).isEqualTo(byDefault);
      assertThat(TenantPartitioner.partition(tenant + "|production|feature.x", 7)).isEqualTo(byDefault);
      assertThat(new TenantPartitioner<>().partitions("t", tenant + "|qa|k", null, 7)).contains(java.util.Set.of(byDefault));
    }
  }

  @Test
  void shouldApplyExactlyOnceAndDeadLetteringWhateverWasConfigured() {
    Map<String, Object> props = StreamsDefaults.apply(Map.of("bootstrap.servers", "b:9092", "processing.guarantee", "at_least_once"), "app");
    assertThat(props).containsEntry("processing.guarantee", "exactly_once_v2")
        .containsEntry("application.id", "app")
        .containsEntry("bootstrap.servers", "b:9092")
        .containsEntry("errors.dead.letter.queue.topic.name", Topics.DLQ)
        .containsEntry("ensure.explicit.internal.resource.naming", true)
        // a transaction right after another retries its offset commit after 10 ms, not Kafka's 100 ms
        .containsEntry("producer.retry.backoff.ms", StreamsDefaults.RETRY_BACKOFF_MS)
        .containsEntry("commit.interval.ms", StreamsDefaults.COMMIT_INTERVAL_MS)
        // batches filled for a few ms under load, well inside the commit interval every output waits for
        .containsEntry("producer.linger.ms", StreamsDefaults.LINGER_MS)
        .containsEntry("max.task.idle.ms", -1L)
        // a thread with nothing to read must not sit in poll past its commit
        .containsEntry("poll.ms", StreamsDefaults.COMMIT_INTERVAL_MS);
    // what the deployer sets wins
    assertThat(StreamsDefaults.apply(Map.of("producer.retry.backoff.ms", 50L), "app")).containsEntry("producer.retry.backoff.ms", 50L);
    assertThat(StreamsDefaults.apply(Map.of("producer.linger.ms", 0), "app")).containsEntry("producer.linger.ms", 0);
    assertThat(StreamsDefaults.replaceThreadHandler("x").handle(new RuntimeException("boom")))
        .isEqualTo(org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD);
  }

  @Test
  void shouldRunAReadSideAtLeastOnceButReadOnlyCommittedRecords() {
    Map<String, Object> props = StreamsDefaults.applyReadSide(Map.of("bootstrap.servers", "b:9092"), "gateway");
    assertThat(props).containsEntry("processing.guarantee", "at_least_once")
        // a view must never show a change whose transaction aborted
        .containsEntry("consumer.isolation.level", "read_committed")
        .containsEntry("commit.interval.ms", 1000)
        .containsEntry("errors.dead.letter.queue.topic.name", Topics.DLQ);
    assertThat(StreamsDefaults.applyReadSide(Map.of("commit.interval.ms", 50), "gateway")).containsEntry("commit.interval.ms", 50);
  }
}
