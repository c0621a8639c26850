package io.hotswap.loadtests;

import io.hotswap.protocol.Topics;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * What a write costs the broker, counted rather than timed: every offset the broker handed out
 * during a step on every topic — records, transaction markers, changelogs, consumer offsets and
 * the transaction log — divided by the commands the gateway put on {@code hotswap.commands.v1}.
 * Latency on a shared 2-core machine moves by tens of percent from run to run (RESULTS.md); this
 * count does not, so it is what tells two versions of the pipeline apart.
 */
final class BrokerAppends implements AutoCloseable {

  private final Admin admin;

  BrokerAppends(String bootstrap) {
    this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
  }

  /** The end offset summed over each topic's partitions. */
  Map<String, Long> snapshot() throws ExecutionException, InterruptedException {
    var topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get();
    topics.remove("__cluster_metadata");
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    admin.describeTopics(topics).allTopicNames().get().forEach((name, d) ->
        d.partitions().forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
    Map<String, Long> ends = new TreeMap<>();
    admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.merge(tp.topic(), info.offset(), Long::sum));
    return ends;
  }

  /** Offsets appended per command between two snapshots, in all and by kind of topic; null when no command was written. */
  static String perCommand(Map<String, Long> before, Map<String, Long> after) {
    long commands = after.getOrDefault(Topics.COMMANDS, 0L) - before.getOrDefault(Topics.COMMANDS, 0L);
    if (commands <= 0) {
      return null;
    }
    Map<String, Long> byKind = new TreeMap<>();
    long all = 0;
    for (var e : after.entrySet()) {
      long appended = e.getValue() - before.getOrDefault(e.getKey(), 0L);
      all += appended;
      String t = e.getKey();
      String kind = t.startsWith("__") ? t : t.endsWith("-changelog") || t.endsWith("-repartition") ? "changelogs" : "hotswap topics";
      byKind.merge(kind, appended, Long::sum);
    }
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%.2f (", (double) all / commands));
    byKind.forEach((kind, n) -> s.append(String.format(Locale.ROOT, "%s %.2f, ", kind, (double) n / commands)));
    return s.append(commands).append(" commands)").toString();
  }

  @Override
  public void close() {
    admin.close();
  }
}
