package io.hotswap.validation;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;

/** What validation decided for one command: pass it on, or answer it with a rejection. */
record Decision(Command command, CommandResult rejection) {

  static Decision pass(Command command) {
    return new Decision(command, null);
  }

  static Decision reject(CommandResult rejection) {
    return new Decision(null, rejection);
  }

  boolean passed() {
    return rejection == null;
  }
}
