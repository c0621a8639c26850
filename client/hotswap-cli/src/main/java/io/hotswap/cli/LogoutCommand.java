package io.hotswap.cli;

import picocli.CommandLine.Command;

/** Forgets the profile's token (the URL stays). */
@Command(name = "logout", description = "Forget the saved token of the current profile (or --profile).")
final class LogoutCommand extends Cmd {

  @Override
  public Integer call() {
    boolean forgot = new Profiles(root().env).forget(root().profile);
    out().line(forgot ? "Logged out." : "No saved token.");
    return ExitCodes.OK;
  }
}
