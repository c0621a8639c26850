package io.hotswap.approval;

import io.hotswap.core.avro.Serdes;
import io.hotswap.core.kafka.Topics;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * {@code validated → approval-gate → changes}. Today every change passes the gate unchanged: no
 * environment is guarded yet. Guarded environments, levels and timeouts plug in at the gate
 * (a later issue); the topics and the gate's place in the flow are already final.
 */
public final class ApprovalTopology {

  private ApprovalTopology() {}

  public static void build(StreamsBuilder builder, Serdes serdes) {
    var keys = org.apache.kafka.common.serialization.Serdes.String();
    builder.stream(Topics.VALIDATED, Consumed.with(keys, serdes.command()).withName("validated-source"))
        .peek((tenant, command) -> { }, Named.as("approval-gate"))
        .to(Topics.CHANGES, Produced.with(keys, serdes.command()).withName("changes-sink"));
  }
}
