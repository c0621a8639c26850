package io.hotswap.approval;

import io.hotswap.avro.ApprovalRequest;
import io.hotswap.avro.ApprovalStatus;
import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.Outcome;
import io.hotswap.core.avro.Serdes;
import io.hotswap.core.kafka.Topics;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * {@code validated → approval-gate → changes | approvals + command-results}. A change that
 * validation marked for approval (a guarded environment) is held: recorded as a PENDING
 * {@link ApprovalRequest} on {@code hotswap.approvals.v1} and answered 202; every other change
 * passes on unchanged. Deciding on held changes (levels, approvers, timeouts) is a later issue.
 */
public final class ApprovalTopology {

  private ApprovalTopology() {}

  public static void build(StreamsBuilder builder, Serdes serdes) {
    var keys = org.apache.kafka.common.serialization.Serdes.String();
    builder.stream(Topics.VALIDATED, Consumed.with(keys, serdes.command()).withName("validated-source"))
        .split(Named.as("approval-gate-"))
        .branch((tenant, command) -> command.getApprovalRequired(), Branched.<String, Command>withConsumer(held -> hold(held, serdes))
            .withName("held"))
        .defaultBranch(Branched.<String, Command>withConsumer(passed -> {
              passed.to(Topics.CHANGES, Produced.with(keys, serdes.command()).withName("changes-sink"));
              // an Admin approved or rejected a held schema version: the held request is decided
              passed.filter((tenant, command) -> command.getSchemaChange() != null && command.getSchemaChange().getApprovalId() != null,
                      Named.as("decided-schema-versions"))
                  .map((tenant, command) -> KeyValue.pair(command.getSchemaChange().getApprovalId(), decided(command)), Named.as("approval-decision"))
                  .to(Topics.APPROVALS, Produced.with(keys, serdes.approvalRequest()).withName("decisions-sink"));
            })
            .withName("passed"));
  }

  private static void hold(KStream<String, Command> held, Serdes serdes) {
    var keys = org.apache.kafka.common.serialization.Serdes.String();
    held.map((tenant, command) -> KeyValue.pair(command.getCommandId(), request(command)), Named.as("approval-request"))
        .to(Topics.APPROVALS, Produced.with(keys, serdes.approvalRequest()).withName("approvals-sink"));
    held.map((tenant, command) -> KeyValue.pair(command.getCommandId(), pending(command)), Named.as("pending-result"))
        .to(Topics.COMMAND_RESULTS, Produced.with(keys, serdes.commandResult()).withName("pending-results-sink"));
  }

  static ApprovalRequest request(Command command) {
    return ApprovalRequest.newBuilder()
        .setApprovalId(command.getCommandId())
        .setTenantId(command.getTenantId())
        .setStatus(ApprovalStatus.PENDING)
        .setEnvironment(command.getConfig() == null ? "" : command.getConfig().getEnvironment())
        .setCommand(command)
        .setRequestedBy(command.getActor())
        .setRequestedAt(command.getIssuedAt())
        .build();
  }

  /** The decided request of a held schema version that an Admin approved or rejected with {@code command}. */
  static ApprovalRequest decided(Command command) {
    return ApprovalRequest.newBuilder()
        .setApprovalId(command.getSchemaChange().getApprovalId())
        .setTenantId(command.getTenantId())
        .setStatus(command.getType() == io.hotswap.avro.CommandType.SCHEMA_REJECT ? ApprovalStatus.REJECTED : ApprovalStatus.APPROVED)
        .setEnvironment("")
        .setCommand(command)
        .setRequestedBy(command.getSchemaChange().getRequestedBy() == null ? command.getActor() : command.getSchemaChange().getRequestedBy())
        .setRequestedAt(command.getIssuedAt())
        .build();
  }

  static CommandResult pending(Command command) {
    return CommandResult.newBuilder()
        .setCommandId(command.getCommandId())
        .setOutcome(Outcome.PENDING)
        .setStatus(202)
        .setStage("approval")
        .setTenantId(command.getTenantId())
        .setResourceId(command.getCommandId())
        .setDetail(command.getSchemaChange() != null
            ? "held for an Admin's approval: the new version of schema '" + command.getSchemaChange().getName() + "' breaks what is in use"
            : "held for approval: " + (command.getConfig() == null ? "" : command.getConfig().getEnvironment()) + " is a guarded environment")
        .setErrors(command.getSchemaChange() == null ? java.util.List.of() : command.getSchemaChange().getBreaks())
        .setDecidedAt(command.getIssuedAt())
        .build();
  }
}
