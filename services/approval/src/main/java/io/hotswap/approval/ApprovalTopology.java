package io.hotswap.approval;

import io.hotswap.avro.ApprovalRequest;
import io.hotswap.avro.ApprovalStatus;
import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.Outcome;
import io.hotswap.core.stream.Stores;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import java.time.Duration;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.BranchedKStream;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * {@code validated → approval-gate → changes | approvals + audit + command-results | commands}.
 * A change that validation marked for approval (a guarded environment) is held: a PENDING
 * {@link ApprovalRequest} on {@code hotswap.approvals.v1}, audited, answered 202. APPROVAL_APPROVE
 * and APPROVAL_REJECT decide it ({@link ApprovalGate}); an approved change is released onto
 * {@code commands} to be validated again; a wall-clock punctuator expires the ones left too long.
 * What else validation sends here — an Admin's decision on a held schema version, the gateway's
 * readiness probe — passes on to {@code changes} unchanged and in order; plain changes go from
 * validation to {@code changes} without this hop.
 */
public final class ApprovalTopology {

  public static final String PENDING_STORE = "approval-pending-store";
  public static final String OUTCOMES_STORE = "approval-outcomes-store";

  private ApprovalTopology() {}

  public static void build(StreamsBuilder builder, Serdes serdes) {
    build(builder, serdes, Duration.ofSeconds(10), Duration.ofHours(24));
  }

  /**
   * @param checkPeriod how often pending requests are checked for expiry
   * @param idempotencyWindow how long a decision's result is kept to answer its retry
   */
  public static void build(StreamsBuilder builder, Serdes serdes, Duration checkPeriod, Duration idempotencyWindow) {
    var keys = org.apache.kafka.common.serialization.Serdes.String();
    builder.addStateStore(Stores.keyValue(PENDING_STORE, serdes.approvalRequest()));
    builder.addStateStore(io.hotswap.core.stream.RememberedOutcomes.store(OUTCOMES_STORE, serdes.commandResult(), idempotencyWindow));
    BranchedKStream<String, ApprovalGate.Out> out = builder.stream(Topics.VALIDATED, Consumed.with(keys, serdes.command()).withName("validated-source"))
        .process(() -> new ApprovalGate(checkPeriod, idempotencyWindow), Named.as("approval-gate"), PENDING_STORE, OUTCOMES_STORE)
        .split(Named.as("approval-"));
    out.branch((k, o) -> o.kind() == ApprovalGate.Out.Kind.CHANGE, sink("change", Command.class,
        s -> s.to(Topics.CHANGES, Produced.with(keys, serdes.command()).withName("changes-sink"))));
    out.branch((k, o) -> o.kind() == ApprovalGate.Out.Kind.RELEASED, sink("released", Command.class,
        s -> s.to(Topics.COMMANDS, Produced.with(keys, serdes.command()).withName("released-sink"))));
    out.branch((k, o) -> o.kind() == ApprovalGate.Out.Kind.APPROVAL, sink("request", ApprovalRequest.class,
        s -> s.to(Topics.APPROVALS, Produced.with(keys, serdes.approvalRequest()).withName("approvals-sink"))));
    out.branch((k, o) -> o.kind() == ApprovalGate.Out.Kind.AUDIT, sink("audit", io.hotswap.avro.AuditEvent.class,
        s -> s.to(Topics.AUDIT, Produced.with(keys, serdes.auditEvent()).withName("audit-sink"))));
    out.defaultBranch(sink("result", CommandResult.class,
        s -> s.to(Topics.COMMAND_RESULTS, Produced.with(keys, serdes.commandResult()).withName("results-sink"))));
  }

  private static <T> Branched<String, ApprovalGate.Out> sink(String name, Class<T> type, java.util.function.Consumer<KStream<String, T>> to) {
    return Branched.<String, ApprovalGate.Out>withConsumer(s -> to.accept(s.mapValues(o -> type.cast(o.value()), Named.as(name + "-value"))))
        .withName(name);
  }

  static ApprovalRequest request(Command command) {
    return ApprovalRequest.newBuilder()
        .setApprovalId(command.getCommandId())
        .setTenantId(command.getTenantId())
        .setStatus(ApprovalStatus.PENDING)
        .setEnvironment(java.util.Objects.requireNonNullElse(io.hotswap.core.domain.ApprovalPolicy.environmentOf(command), ""))
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
            : "held for approval: " + io.hotswap.core.domain.ApprovalPolicy.environmentOf(command) + " is a guarded environment")
        .setErrors(command.getSchemaChange() == null ? java.util.List.of() : command.getSchemaChange().getBreaks())
        .setDecidedAt(command.getIssuedAt())
        .build();
  }
}
