package io.hotswap.plugin.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotswap.plugin.host.testplugins.FailingStartPlugin;
import io.hotswap.plugin.host.testplugins.HogPlugin;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox stops a plugin that allocates without bound, one that spins and one that opens a socket, each with its reason. */
class SandboxTest {

  private static final KeyPair PUBLISHER = PluginSignatures.newKeyPair();
  private static final Sandbox.Limits TIGHT = new Sandbox.Limits(48, Duration.ofSeconds(4), Duration.ofSeconds(20));

  @TempDir
  static Path work;

  private static Sandbox sandbox;
  private static PluginBinary hog;

  @BeforeAll
  static void setUp() {
    sandbox = new Sandbox(TrustPolicy.trusting(Map.of("acme", PUBLISHER.getPublic())), work, 10);
    hog = PluginBinary.signed(TestJars.jar("hog", "1.0.0", HogPlugin.class.getName(), null, HogPlugin.class), PUBLISHER.getPrivate());
  }

  private static Sandbox.TestCase call(String operation, Map<String, String> args, String expected) {
    return new Sandbox.TestCase(operation, args, expected);
  }

  @Test
  void runsTheCasesOfAWellBehavedPluginAndReportsEach() throws Exception {
    Sandbox.Result r = sandbox.run(hog, Map.of("greeting", "hi"), List.of(
        call("echo", Map.of("text", "there"), "hi there"),
        call("echo", Map.of("text", "you"), "hi me"),
        call("nonsense", Map.of(), null)), TIGHT);

    assertThat(r.outcome()).isEqualTo(Sandbox.Outcome.FAILED);
    assertThat(r.reason()).isEqualTo("2 of 3 cases failed");
    assertThat(r.cases()).extracting(Sandbox.CaseResult::passed).containsExactly(true, false, false);
    assertThat(r.cases().get(1).output()).isEqualTo("hi you");
    assertThat(r.cases().get(2).error()).contains("unknown operation nonsense");
    assertThat(r.log()).contains("case 2 (nonsense) failed");
    try (var left = Files.list(work)) {
      assertThat(left).as("the run's directory is removed").isEmpty();
    }
  }

  @Test
  void stopsAPluginThatAllocatesWithoutBound() {
    Sandbox.Result r = sandbox.run(hog, Map.of(), List.of(call("echo", Map.of("text", "x"), null),
        call("allocate", Map.of(), null)), TIGHT);
    assertThat(r.outcome()).isEqualTo(Sandbox.Outcome.MEMORY_LIMIT);
    assertThat(r.reason()).isEqualTo("stopped in case 1 (allocate): the plugin needed more than the 48 MB heap");
    assertThat(r.cases()).singleElement().satisfies(c -> assertThat(c.passed()).isTrue());
  }

  @Test
  void stopsAPluginThatSpins() {
    Sandbox.Result r = sandbox.run(hog, Map.of(), List.of(call("spin", Map.of(), null)), TIGHT);
    assertThat(r.outcome()).isEqualTo(Sandbox.Outcome.CPU_LIMIT);
    assertThat(r.reason()).isEqualTo("stopped in case 0 (spin): used more than 4000 ms of CPU");
    assertThat(r.cpu()).isGreaterThan(Duration.ofSeconds(4));
  }

  @Test
  void stopsAPluginThatRunsPastTheWallClockLimit() {
    Sandbox.Result r = sandbox.run(hog, Map.of(), List.of(call("spin", Map.of(), null)),
        new Sandbox.Limits(48, Duration.ofMinutes(1), Duration.ofSeconds(3)));
    assertThat(r.outcome()).isEqualTo(Sandbox.Outcome.TIME_LIMIT);
    assertThat(r.reason()).contains("ran longer than 3000 ms");
  }

  @Test
  void givesThePluginNoNetwork() throws Exception {
    assertThat(Sandbox.networkIsolation()).as("this machine runs sandboxes in their own network namespace").isTrue();
    try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      AtomicInteger accepted = new AtomicInteger();
      Thread acceptor = Thread.ofVirtual().start(() -> {
        while (!server.isClosed()) {
          try (var s = server.accept()) {
            accepted.incrementAndGet();
          } catch (java.io.IOException closed) {
            return;
          }
        }
      });
      Map<String, String> port = Map.of("port", Integer.toString(server.getLocalPort()));
      Sandbox.Result r = sandbox.run(hog, Map.of(), List.of(call("connect", port, "connected")), TIGHT);

      assertThat(r.networkIsolated()).isTrue();
      assertThat(r.outcome()).isEqualTo(Sandbox.Outcome.FAILED);
      assertThat(r.cases().getFirst().error()).contains("Exception");
      assertThat(accepted).hasValue(0);
      // the same plugin outside the sandbox reaches the server: the refusal above is the sandbox's
      try (PluginHost host = PluginHost.builder(TrustPolicy.trusting(Map.of("acme", PUBLISHER.getPublic()))).build()) {
        host.install(hog);
        host.activate("t", "hog", "1.0.0", Map.of(), Map.of());
        assertThat(TestJars.invoke(host, "t", "hog", "connect", port)).isEqualTo("connected");
      }
      server.close();
      acceptor.join();
      assertThat(accepted).hasValue(1);
    }
  }

  @Test
  void refusesWhatAHostWouldRefuseAndReportsAFailedStart() {
    Sandbox.Result unsigned = sandbox.run(PluginBinary.unsigned(hog.bytes()), Map.of(), List.of(), TIGHT);
    assertThat(unsigned.outcome()).isEqualTo(Sandbox.Outcome.REFUSED);
    assertThat(unsigned.reason()).startsWith("unsigned: ");

    PluginBinary failing = PluginBinary.signed(TestJars.jar("fails", "1.0.0", FailingStartPlugin.class.getName(), null,
        FailingStartPlugin.class), PUBLISHER.getPrivate());
    Sandbox.Result r = sandbox.run(failing, Map.of(), List.of(call("x", Map.of(), null)), TIGHT);
    assertThat(r.outcome()).isEqualTo(Sandbox.Outcome.FAILED);
    assertThat(r.reason()).startsWith("the plugin did not start: ").contains("endpoint is not configured");
  }

  @Test
  void refusesARunBeyondTheConcurrencyLimit() {
    Sandbox none = new Sandbox(TrustPolicy.trusting(Map.of("acme", PUBLISHER.getPublic())), work, 0);
    Sandbox.Result r = none.run(hog, Map.of(), List.of(), TIGHT);
    assertThat(r.outcome()).isEqualTo(Sandbox.Outcome.REFUSED);
    assertThat(r.reason()).contains("0 sandbox runs are in progress");
  }
}
