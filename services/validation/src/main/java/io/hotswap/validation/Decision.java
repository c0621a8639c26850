package io.hotswap.validation;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.core.domain.ApprovalPolicy;

/**
 * What validation decided for one command: pass it on — to approval or straight to rollout — or
 * answer it with a rejection.
 */
record Decision(Command command, CommandResult rejection, boolean toApproval) {

  /** A command judged now: approval gets it only when it holds or decides it. */
  static Decision pass(Command command) {
    return new Decision(command, null, ApprovalPolicy.throughApproval(command));
  }

  /**
   * The retry of a command whose pass rested on the registry's state, passed from memory as it
   * arrived: without what judging it added (an approval mark, the held version an Admin decides
   * on) it cannot be routed as the first delivery was, so it goes through approval, whose memory
   * answers it when the first delivery was held or decided there, and which hands it on to
   * rollout's memory otherwise.
   */
  static Decision passedBefore(Command command) {
    return new Decision(command, null, true);
  }

  static Decision reject(CommandResult rejection) {
    return new Decision(null, rejection, false);
  }

  boolean passed() {
    return rejection == null;
  }
}
