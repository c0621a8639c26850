package io.hotswap.plugin.host;

import static org.assertj.core.api.Assertions.assertThat;
import static io.hotswap.plugin.host.TestJars.invoke;
import static org.awaitility.Awaitility.await;

import io.hotswap.plugin.api.Invocable;
import java.lang.ref.WeakReference;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A plugin loaded and unloaded a hundred times leaves nothing behind: every class loader — with the
 * classes, the plugin's objects and the heartbeat thread the sample plugin starts — is collected.
 * What keeps a loader alive in real systems (a thread still running, a cache in the host, a context
 * class loader left on a pooled thread) would keep one of these references set.
 */
class PluginUnloadLeakTest {

  @Test
  void collectsEveryClassLoaderAfterAHundredLoadsAndUnloads() throws Exception {
    KeyPair publisher = PluginSignatures.newKeyPair();
    List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
    try (PluginHost host = PluginHost.builder(TrustPolicy.trusting(Map.of("acme", publisher.getPublic()))).build()) {
      host.install(PluginBinary.signed(TestJars.greeting(1), publisher.getPrivate()));
      for (int i = 0; i < 100; i++) {
        host.activate("t" + (i % 3), "greeting", "1.0.0", Map.of(), Map.of());
        String tenant = "t" + (i % 3);
        assertThat(invoke(host, tenant, "greeting", "greet", Map.of("name", "n"))).isEqualTo("Hello, n!");
        loaders.add(new WeakReference<>(host.call(tenant, "greeting", Invocable.class, g -> g.getClass().getClassLoader())));
        host.deactivate(tenant, "greeting");
        assertThat(host.loadedVersions()).isZero();
      }
      assertThat(loaders).hasSize(100);
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
        System.gc();
        return loaders.stream().allMatch(r -> r.get() == null);
      });
      // and the heartbeat threads the plugin started are gone with them
      assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("greeting-heartbeat"));
    }
  }
}
