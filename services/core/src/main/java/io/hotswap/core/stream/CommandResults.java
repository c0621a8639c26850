package io.hotswap.core.stream;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.Outcome;
import io.hotswap.core.domain.Rejection;
import java.time.Instant;

/** Builds the {@link CommandResult}s every stage answers with. */
public final class CommandResults {

  private CommandResults() {}

  public static CommandResult rejected(Command command, Rejection rejection, String stage, Instant now) {
    return CommandResult.newBuilder()
        .setCommandId(command.getCommandId())
        .setOutcome(Outcome.REJECTED)
        .setStatus(rejection.status())
        .setErrorType(rejection.type())
        .setDetail(rejection.detail())
        .setField(rejection.field())
        .setErrors(rejection.errors())
        .setStage(stage)
        .setTenantId(command.getTenantId())
        .setDecidedAt(now)
        .build();
  }

  public static CommandResult applied(Command command, int status, String resourceId, long version, String stage, Instant now) {
    return CommandResult.newBuilder()
        .setCommandId(command.getCommandId())
        .setOutcome(Outcome.APPLIED)
        .setStatus(status)
        .setStage(stage)
        .setTenantId(command.getTenantId())
        .setResourceId(resourceId)
        .setVersion(version)
        .setDecidedAt(now)
        .build();
  }

  /** Marker a stage keeps for a command it passed on, so a retry is passed on again, not re-judged. */
  public static CommandResult forwarded(Command command, String stage, Instant now) {
    return CommandResult.newBuilder()
        .setCommandId(command.getCommandId())
        .setOutcome(Outcome.PENDING)
        .setStatus(202)
        .setStage(stage)
        .setTenantId(command.getTenantId())
        .setDecidedAt(now)
        .build();
  }
}
