package io.hotswap.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code hotswap}: every operation of the platform from a shell, over the gateway's public REST
 * API only. Where to talk to, in order: {@code --url}/{@code --token}, then {@code HOTSWAP_URL} /
 * {@code HOTSWAP_TOKEN}, then the profile {@code login} saved, then {@code http://localhost:8080}.
 */
@Command(name = "hotswap", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, versionProvider = HotSwapCli.Version.class,
    description = "Configuration and plugins for running services: tenants, keys, approvals, deployments, audit.",
    subcommands = {LoginCommand.class, LogoutCommand.class, TenantsCommand.class, ConfigCommands.Get.class, ConfigCommands.Set.class,
        ConfigCommands.Delete.class, ConfigCommands.History.class, ConfigCommands.Diff.class, ConfigCommands.Rollback.class,
        ConfigCommands.Promote.class, TransferCommands.Import.class, TransferCommands.Export.class, ApprovalsCommand.class,
        DeployCommand.class, InstancesCommand.class, AuditCommand.class, TailCommand.class, AutoComplete.GenerateCompletion.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:done as asked",
        "1:the platform rejected the request (400, 413, 422)",
        "2:wrong command line: nothing was sent",
        "3:not found, or not visible to the token (404)",
        "4:no valid token (401), or its role may not do this (403)",
        "5:conflict with the current state (409, 412)",
        "6:platform unreachable, unavailable or rate-limited (5xx, 429)",
        "7:the watched deployment was rolled back",
        "8:held for approval: accepted, not applied yet"})
public final class HotSwapCli {

  @Option(names = "--url", scope = ScopeType.INHERIT, description = "the gateway (default: HOTSWAP_URL, the profile's, http://localhost:8080)")
  String url;

  @Option(names = "--token", scope = ScopeType.INHERIT, description = "a JWT (default: HOTSWAP_TOKEN, the profile's)")
  String token;

  @Option(names = "--profile", scope = ScopeType.INHERIT, description = "the saved profile to use (default: the current one)")
  String profile;

  @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, defaultValue = "human",
      description = "human (default) or json: the API's answer as it came, for scripts")
  String output;

  final Map<String, String> env;
  final PrintStream out;
  final PrintStream err;

  HotSwapCli(Map<String, String> env, PrintStream out, PrintStream err) {
    this.env = env;
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  /** Runs one command line; the exit code. */
  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    HotSwapCli root = new HotSwapCli(env, out, err);
    CommandLine cli = new CommandLine(root)
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler((e, line, parsed) -> failed(e, err));
    cli.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
    return cli.execute(args);
  }

  /** A failure as one clear message (the platform's problem details), never a stack trace; its exit code. */
  private static int failed(Exception e, PrintStream err) {
    if (e instanceof RestApi.Problem p) {
      err.println("Error: " + p.getMessage() + " (HTTP " + p.status + ")");
      if (p.detail.hasNonNull("type")) {
        err.println("  type: " + p.detail.get("type").asString());
      }
      if (p.detail.hasNonNull("field")) {
        err.println("  field: " + p.detail.get("field").asString());
      }
      p.detail.path("errors").forEach(x -> err.println("  - " + Output.cell(x)));
      return ExitCodes.of(p.status);
    }
    if (e instanceof RestApi.Unreachable u) {
      err.println("Error: " + u.getMessage());
      return ExitCodes.UNAVAILABLE;
    }
    if (e instanceof IllegalArgumentException) {
      err.println("Error: " + e.getMessage());
      return ExitCodes.USAGE;
    }
    err.println("Error: " + e.getMessage());
    return ExitCodes.REJECTED;
  }

  /** The platform to talk to, from the options, the environment and the saved profile. */
  RestApi api() {
    Profiles.Profile saved = new Profiles(env).get(profile);
    String u = firstOf(url, env.get("HOTSWAP_URL"), saved == null ? null : saved.url(), Profiles.DEFAULT_URL);
    String t = firstOf(token, env.get("HOTSWAP_TOKEN"), saved == null ? null : saved.token(), null);
    return new RestApi(u, t);
  }

  Output output() {
    if (!output.equals("human") && !output.equals("json")) {
      throw new IllegalArgumentException("--output is human or json, not '" + output + "'");
    }
    return new Output(out, output.equals("json"));
  }

  private static String firstOf(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }

  /** The version this jar was built as. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = HotSwapCli.class.getPackage().getImplementationVersion();
      return new String[] {"hotswap " + (v == null ? "(development build)" : v)};
    }
  }
}
