package io.hotswap.core.kafka;

import java.util.Map;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;

/** Producer-side twin of {@link TenantPartitioner}, for plain producers writing composite keys. */
public final class TenantKeyPartitioner implements Partitioner {

  @Override
  public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
    return TenantPartitioner.partition((String) key, cluster.partitionCountForTopic(topic));
  }

  @Override
  public void close() {}

  @Override
  public void configure(Map<String, ?> configs) {}
}
