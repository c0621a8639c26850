package io.hotswap.core.kafka;

import org.apache.kafka.streams.KafkaStreams;

/**
 * Whether a Kafka Streams instance can serve: UP only when RUNNING. REBALANCING and CREATED are
 * transient (not ready), ERROR and shutdown states are DOWN.
 */
public final class StreamsHealth {

  /** Health of one instance, with its state for the details. */
  public enum Status { UP, STARTING, DOWN }

  private StreamsHealth() {}

  public static Status of(KafkaStreams streams) {
    if (streams == null) {
      return Status.STARTING;
    }
    return switch (streams.state()) {
      case RUNNING -> Status.UP;
      case CREATED, REBALANCING -> Status.STARTING;
      default -> Status.DOWN;
    };
  }

  public static String state(KafkaStreams streams) {
    return streams == null ? "NOT_CREATED" : streams.state().name();
  }
}
