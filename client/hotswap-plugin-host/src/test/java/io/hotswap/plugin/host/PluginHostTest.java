package io.hotswap.plugin.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static io.hotswap.plugin.host.TestJars.invoke;
import static org.awaitility.Awaitility.await;

import io.hotswap.plugin.api.Health;
import io.hotswap.plugin.api.Invocable;
import io.hotswap.plugin.api.PluginApi;
import io.hotswap.plugin.api.Probe;
import io.hotswap.plugin.host.shared.Gate;
import io.hotswap.plugin.host.testplugins.FailingStartPlugin;
import io.hotswap.plugin.host.testplugins.NotReadyPlugin;
import io.hotswap.plugin.host.testplugins.ShoutPlugin;
import io.hotswap.plugin.host.testplugins.SlowPlugin;
import io.hotswap.plugin.host.testplugins.TextUpper;
import io.hotswap.plugin.host.testplugins.TextUtilsPlugin;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The plugin host as a service embedding it uses it: install, activate per tenant, call, swap, unload. */
class PluginHostTest {

  private static final KeyPair PUBLISHER = PluginSignatures.newKeyPair();
  private static final Map<String, String> NONE = Map.of();

  private PluginHost host;

  @BeforeEach
  void setUp() {
    Gate.reset();
    host = PluginHost.builder(TrustPolicy.trusting(Map.of("acme", PUBLISHER.getPublic())))
        .sharedPackages(List.of("io.hotswap.plugin.host.shared"))
        .lifecycleTimeout(Duration.ofSeconds(5))
        .build();
  }

  @AfterEach
  void tearDown() {
    host.close();
  }

  private static PluginBinary signed(byte[] jar) {
    return PluginBinary.signed(jar, PUBLISHER.getPrivate());
  }

  private String greet(String tenant, String name) throws Exception {
    return invoke(host, tenant, "greeting", "greet", Map.of("name", name));
  }

  @Test
  void runsTheSamplePluginInItsOwnClassLoaderWithTheTenantsConfiguration() throws Exception {
    PluginManifest m = host.install(signed(TestJars.greeting(1)));
    assertThat(m).isEqualTo(new PluginManifest("greeting", "1.0.0", "extension", "com.example.greeting.GreetingPlugin", "1.0",
        List.of()));

    PluginHost.Running running = host.activate("acme", "greeting", "1.0.0", Map.of("template", "Hi, %s."), NONE);

    assertThat(running).extracting(PluginHost.Running::version, PluginHost.Running::publisher).containsExactly("1.0.0", "acme");
    assertThat(greet("acme", "Ada")).isEqualTo("Hi, Ada.");
    String loader = host.call("acme", "greeting", Invocable.class, g -> g.getClass().getClassLoader().getName());
    assertThat(loader).isEqualTo("plugin:greeting@1.0.0");
    // the service can't see the plugin's classes: nothing of it is on the service's class path
    assertThatThrownBy(() -> Class.forName("com.example.greeting.GreetingPlugin")).isInstanceOf(ClassNotFoundException.class);
    assertThat(host.probe("acme", "greeting", Probe.LIVENESS)).isEqualTo(Health.up());
    assertThat(host.running()).singleElement().satisfies(r -> assertThat(r.calls()).isEqualTo(2));
  }

  @Test
  void runsTwoVersionsOfOnePluginSideBySideForDifferentTenants() throws Exception {
    host.install(signed(TestJars.greeting(1)));
    host.install(signed(TestJars.greeting(2)));
    host.activate("pinned", "greeting", "1.0.0", NONE, NONE);
    host.activate("early", "greeting", "2.0.0", NONE, NONE);

    assertThat(greet("pinned", "Ada")).isEqualTo("Hello, Ada!");
    assertThat(greet("early", "Ada")).isEqualTo("HELLO, ADA!");
    Class<?> one = host.call("pinned", "greeting", Invocable.class, Object::getClass);
    Class<?> two = host.call("early", "greeting", Invocable.class, Object::getClass);
    assertThat(one.getName()).isEqualTo(two.getName());
    assertThat(one).isNotSameAs(two);
    assertThat(host.loadedVersions()).isEqualTo(2);
    // 2.0.0 is the deliberately failing version: alive for readiness, not for liveness
    assertThat(host.probe("early", "greeting", Probe.LIVENESS))
        .isEqualTo(Health.down("greeting 2.0.0 lost its template cache"));
    assertThat(host.probe("pinned", "greeting", Probe.LIVENESS).healthy()).isTrue();
    assertThat(host.running()).extracting(PluginHost.Running::tenant, PluginHost.Running::version)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("early", "2.0.0"), org.assertj.core.groups.Tuple.tuple("pinned", "1.0.0"));
  }

  @Test
  void refusesTamperedUnsignedAndForeignBinariesBeforeLoadingAnything() {
    byte[] jar = TestJars.greeting(1);
    PluginBinary genuine = signed(jar);
    byte[] tampered = jar.clone();
    tampered[tampered.length / 2] ^= 1;

    assertThatThrownBy(() -> host.install(new PluginBinary(tampered, genuine.sha256(), genuine.signature())))
        .isInstanceOfSatisfying(PluginRejected.class, e -> assertThat(e.reason()).isEqualTo(PluginRejected.Reason.CHECKSUM_MISMATCH));
    // the checksum recomputed by whoever changed it: the signature still gives it away
    assertThatThrownBy(() -> host.install(new PluginBinary(tampered, PluginSignatures.sha256(tampered), genuine.signature())))
        .isInstanceOfSatisfying(PluginRejected.class, e -> assertThat(e.reason()).isEqualTo(PluginRejected.Reason.BAD_SIGNATURE));
    assertThatThrownBy(() -> host.install(PluginBinary.unsigned(jar)))
        .isInstanceOfSatisfying(PluginRejected.class, e -> {
          assertThat(e.reason()).isEqualTo(PluginRejected.Reason.UNSIGNED);
          assertThat(e.reason().code()).isEqualTo("unsigned");
        });
    KeyPair stranger = PluginSignatures.newKeyPair();
    assertThatThrownBy(() -> host.install(PluginBinary.signed(jar, stranger.getPrivate())))
        .isInstanceOfSatisfying(PluginRejected.class, e -> assertThat(e.getMessage()).contains("acme"));
    assertThat(host.installed()).isEmpty();
    assertThat(host.loadedVersions()).isZero();
  }

  @Test
  void runsUnsignedBinariesOnlyWhereThePolicySaysSo() throws Exception {
    try (PluginHost lenient = PluginHost.builder(TrustPolicy.trusting(Map.of()).allowingUnsigned()).build()) {
      lenient.install(PluginBinary.unsigned(TestJars.greeting(1)));
      assertThat(lenient.activate("t", "greeting", "1.0.0", NONE, NONE).publisher()).isEqualTo("unsigned");
    }
  }

  @Test
  void swapsVersionsWithoutAGapAndLetsCallsInFlightFinishOnTheOldOne() throws Exception {
    host.install(signed(TestJars.jar("slow", "1.0.0", SlowPlugin.class.getName(), null, SlowPlugin.class)));
    host.install(signed(TestJars.jar("slow", "1.1.0", SlowPlugin.class.getName(), null, SlowPlugin.class)));
    host.activate("t", "slow", "1.0.0", NONE, NONE);

    // own threads: the common pool has one thread on a two-core machine, and the held call occupies it
    var threads = java.util.concurrent.Executors.newFixedThreadPool(2);
    CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(() -> call("t", "hold"), threads);
    assertThat(Gate.entered.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<PluginHost.Running> swap = CompletableFuture.supplyAsync(() -> activate("t", "slow", "1.1.0"), threads);

    // the new version takes new calls while the old one still finishes the call it began
    await().atMost(Duration.ofSeconds(10)).until(() -> host.activeVersion("t", "slow").orElseThrow().equals("1.1.0"));
    assertThat(call("t", "version")).isEqualTo("1.1.0");
    assertThat(host.call("t", "slow", Gate.Versioned.class, Gate.Versioned::version)).isEqualTo("1.1.0");
    assertThat(Gate.events).containsExactly("start 1.0.0", "start 1.1.0");
    assertThat(swap).isNotDone();

    Gate.release.countDown();
    assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo("1.0.0");
    assertThat(swap.get(10, TimeUnit.SECONDS).version()).isEqualTo("1.1.0");
    assertThat(Gate.events).containsExactly("start 1.0.0", "start 1.1.0", "stop 1.0.0");
    assertThat(host.loadedVersions()).isEqualTo(1);
    threads.shutdown();
  }

  @Test
  void keepsTheRunningVersionWhenTheNewOneFailsToStartOrIsNotReady() throws Exception {
    host.install(signed(TestJars.greeting(1)));
    host.install(signed(TestJars.jar("greeting", "1.1.0", FailingStartPlugin.class.getName(), null, FailingStartPlugin.class)));
    host.install(signed(TestJars.jar("greeting", "1.2.0", NotReadyPlugin.class.getName(), null, NotReadyPlugin.class)));
    host.activate("t", "greeting", "1.0.0", NONE, NONE);

    assertThatThrownBy(() -> host.activate("t", "greeting", "1.1.0", NONE, NONE))
        .isInstanceOfSatisfying(PluginRejected.class, e -> {
          assertThat(e.reason()).isEqualTo(PluginRejected.Reason.START_FAILED);
          assertThat(e.getMessage()).contains("greeting@1.1.0", "endpoint is not configured");
        });
    assertThatThrownBy(() -> host.activate("t", "greeting", "1.2.0", NONE, NONE))
        .isInstanceOfSatisfying(PluginRejected.class, e -> {
          assertThat(e.reason()).isEqualTo(PluginRejected.Reason.NOT_HEALTHY);
          assertThat(e.getMessage()).contains("readiness", "cache still warming");
        });
    assertThat(host.activeVersion("t", "greeting")).contains("1.0.0");
    assertThat(greet("t", "Ada")).isEqualTo("Hello, Ada!");
    assertThat(host.loadedVersions()).isEqualTo(1);
  }

  @Test
  void refusesAStartThatBreaksTheTemplateRuleWithThePluginsOwnMessage() throws Exception {
    host.install(signed(TestJars.greeting(1)));
    assertThatThrownBy(() -> host.activate("t", "greeting", "1.0.0", Map.of("template", "no placeholder"), NONE))
        .hasMessageContaining("template must contain %s");
    assertThat(host.activeVersion("t", "greeting")).isEmpty();
    assertThat(host.loadedVersions()).isZero();
  }

  @Test
  void sharesOneLoaderPerDependencyVersionAndPicksTheHighestTheRangeAccepts() throws Exception {
    for (String v : List.of("1.0.0", "1.4.0", "2.0.0")) {
      host.install(signed(TestJars.jar("text-utils", v, TextUtilsPlugin.class.getName(), null, TextUtilsPlugin.class, TextUpper.class)));
    }
    host.install(signed(TestJars.jar("shout", "1.0.0", ShoutPlugin.class.getName(), "text-utils@^1.0", ShoutPlugin.class)));
    host.install(signed(TestJars.jar("echo", "1.0.0", ShoutPlugin.class.getName(), "text-utils@>=1.0.0 <2.0.0", ShoutPlugin.class)));
    host.activate("a", "shout", "1.0.0", NONE, NONE);
    host.activate("b", "echo", "1.0.0", NONE, NONE);

    assertThat(invoke(host, "a", "shout", "shout", Map.of("text", "hi"))).isEqualTo("HI!");
    String viaShout = invoke(host, "a", "shout", "loader", NONE);
    String viaEcho = invoke(host, "b", "echo", "loader", NONE);
    assertThat(viaShout).startsWith("plugin:text-utils@1.4.0#").isEqualTo(viaEcho);
    assertThat(host.loadedVersions()).isEqualTo(3);

    host.deactivate("a", "shout");
    assertThat(host.loadedVersions()).as("echo still needs text-utils").isEqualTo(2);
    host.deactivate("b", "echo");
    assertThat(host.loadedVersions()).isZero();
  }

  @Test
  void namesTheChainsOfAConflictAndWhatIsMissing() throws Exception {
    host.install(signed(TestJars.jar("text-utils", "1.4.0", TextUtilsPlugin.class.getName(), null, TextUtilsPlugin.class, TextUpper.class)));
    host.install(signed(TestJars.jar("text-utils", "2.0.0", TextUtilsPlugin.class.getName(), null, TextUtilsPlugin.class, TextUpper.class)));
    host.install(signed(TestJars.jar("shout", "1.0.0", ShoutPlugin.class.getName(), "text-utils@^1.0", ShoutPlugin.class)));
    host.install(signed(TestJars.jar("app", "1.0.0", ShoutPlugin.class.getName(), "text-utils@^2.0, shout@1.x", ShoutPlugin.class)));
    host.install(signed(TestJars.jar("lonely", "1.0.0", ShoutPlugin.class.getName(), "text-utils@^3", ShoutPlugin.class)));

    assertThatThrownBy(() -> host.activate("t", "app", "1.0.0", NONE, NONE))
        .isInstanceOfSatisfying(PluginRejected.class, e -> {
          assertThat(e.reason()).isEqualTo(PluginRejected.Reason.DEPENDENCY_CONFLICT);
          assertThat(e.getMessage()).contains("app@1.0.0 → text-utils@^2.0 chose 2.0.0",
              "but app@1.0.0 → shout@1.x (1.0.0) → text-utils@^1.0 does not accept it");
        });
    assertThatThrownBy(() -> host.activate("t", "lonely", "1.0.0", NONE, NONE))
        .isInstanceOfSatisfying(PluginRejected.class, e -> {
          assertThat(e.reason()).isEqualTo(PluginRejected.Reason.MISSING_DEPENDENCY);
          assertThat(e.getMessage()).contains("satisfies ^3 (needed by lonely@1.0.0 → text-utils@^3); installed: [1.4.0, 2.0.0]");
        });
    assertThat(host.loadedVersions()).isZero();
  }

  @Test
  void refusesADependencyCycle() throws Exception {
    host.install(signed(TestJars.jar("left", "1.0.0", ShoutPlugin.class.getName(), "right@1.x", ShoutPlugin.class)));
    host.install(signed(TestJars.jar("right", "1.0.0", ShoutPlugin.class.getName(), "left@1.x", ShoutPlugin.class)));
    assertThatThrownBy(() -> host.activate("t", "left", "1.0.0", NONE, NONE))
        .isInstanceOfSatisfying(PluginRejected.class, e -> assertThat(e.getMessage())
            .isEqualTo("dependency cycle: left@1.0.0 → right@1.x (1.0.0) → left@1.x"));
  }

  @Test
  void refusesBadManifestsNamingEveryProblem() {
    byte[] bad = TestJars.jar(Map.of(PluginApi.ID, "Bad Id", PluginApi.PLUGIN_VERSION, "one", PluginApi.API_VERSION, "1"),
        Map.of());
    assertThatThrownBy(() -> host.install(signed(bad)))
        .isInstanceOfSatisfying(PluginRejected.class, e -> {
          assertThat(e.reason()).isEqualTo(PluginRejected.Reason.BAD_MANIFEST);
          assertThat(e.getMessage()).contains("'Bad Id'", "'one' is not a semantic version", "no HotSwap-Plugin-Entry-Point",
              "must be MAJOR.MINOR");
        });
    byte[] noEntry = TestJars.jar("ghost", "1.0.0", "com.example.Missing", null);
    assertThatThrownBy(() -> host.install(signed(noEntry))).hasMessageContaining("com.example.Missing is not in the jar");
    byte[] future = TestJars.jar(Map.of(PluginApi.ID, "future", PluginApi.PLUGIN_VERSION, "1.0.0", PluginApi.ENTRY_POINT,
        SlowPlugin.class.getName(), PluginApi.API_VERSION, "2.0"), Map.of(), SlowPlugin.class);
    assertThatThrownBy(() -> host.install(signed(future)))
        .isInstanceOfSatisfying(PluginRejected.class, e -> assertThat(e.reason()).isEqualTo(PluginRejected.Reason.UNSUPPORTED_API));
    byte[] badDependency = TestJars.jar("needy", "1.0.0", SlowPlugin.class.getName(), "text-utils@not a range!", SlowPlugin.class);
    assertThatThrownBy(() -> host.install(signed(badDependency))).hasMessageContaining("text-utils@not a range!");
    assertThatThrownBy(() -> host.install(signed("not a jar".getBytes()))).isInstanceOf(PluginRejected.class);
  }

  @Test
  void isolatesThePluginFromTheServiceAndGivesItOnlyItsTenantsSecrets() throws Exception {
    host.install(signed(TestJars.jar("text-utils", "1.0.0", TextUtilsPlugin.class.getName(), null, TextUtilsPlugin.class, TextUpper.class)));
    host.install(signed(TestJars.jar("shout", "1.0.0", ShoutPlugin.class.getName(), "text-utils", ShoutPlugin.class)));
    host.activate("a", "shout", "1.0.0", NONE, Map.of("api-key", "sk-123456"));
    host.activate("b", "shout", "1.0.0", NONE, NONE);

    assertThat(invoke(host, "a", "shout", "service-class", NONE)).isEqualTo("hidden");
    assertThat(invoke(host, "a", "shout", "secret", NONE)).isEqualTo("length 9");
    assertThat(invoke(host, "b", "shout", "secret", NONE)).isEqualTo("none");
    assertThat(invoke(host, "a", "shout", "context", NONE)).doesNotContain("sk-123456");
    assertThat(invoke(host, "a", "shout", "resource", NONE)).isEqualTo("shout 1.0.0");
  }

  @Test
  void countsErrorsAndRefusesCallsToWhatATenantDoesNotRun() throws Exception {
    host.install(signed(TestJars.jar("slow", "1.0.0", SlowPlugin.class.getName(), null, SlowPlugin.class)));
    host.activate("t", "slow", "1.0.0", NONE, NONE);
    assertThatThrownBy(() -> call0("t", "fail")).hasMessage("failed on purpose");
    assertThat(host.running()).singleElement().satisfies(r -> {
      assertThat(r.calls()).isEqualTo(1);
      assertThat(r.errors()).isEqualTo(1);
    });
    assertThatThrownBy(() -> host.call("t", "slow", Runnable.class, r -> null)).hasMessageContaining("has no extension java.lang.Runnable");
    assertThatThrownBy(() -> call0("other", "version")).hasMessage("tenant other runs no plugin slow");
    assertThat(host.probe("other", "slow", Probe.LIVENESS).healthy()).isFalse();
    assertThatThrownBy(() -> host.uninstall("slow", "1.0.0")).isInstanceOf(IllegalStateException.class);

    assertThat(host.deactivate("t", "slow")).isTrue();
    assertThat(host.deactivate("t", "slow")).isFalse();
    assertThat(Gate.events).containsExactly("start 1.0.0", "stop 1.0.0");
    assertThatThrownBy(() -> call0("t", "version")).isInstanceOf(IllegalStateException.class);
    host.uninstall("slow", "1.0.0");
    assertThat(host.installed()).isEmpty();
    assertThatThrownBy(() -> host.activate("t", "slow", "1.0.0", NONE, NONE))
        .isInstanceOfSatisfying(PluginRejected.class, e -> assertThat(e.reason()).isEqualTo(PluginRejected.Reason.NOT_INSTALLED));
  }

  @Test
  void refusesOtherBytesUnderAVersionAlreadyInstalled() throws Exception {
    host.install(signed(TestJars.greeting(1)));
    host.install(signed(TestJars.greeting(1))); // the same bytes again: fine
    byte[] other = TestJars.jar("greeting", "1.0.0", SlowPlugin.class.getName(), null, SlowPlugin.class);
    assertThatThrownBy(() -> host.install(signed(other)))
        .isInstanceOfSatisfying(PluginRejected.class, e -> assertThat(e.getMessage()).contains("publish a new version"));
  }

  private String call(String tenant, String operation) {
    try {
      return call0(tenant, operation);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String call0(String tenant, String operation) throws Exception {
    return host.call(tenant, "slow", Invocable.class, s -> s.invoke(operation, NONE));
  }

  private PluginHost.Running activate(String tenant, String id, String version) {
    try {
      return host.activate(tenant, id, version, NONE, NONE);
    } catch (PluginRejected e) {
      throw new IllegalStateException(e);
    }
  }
}
