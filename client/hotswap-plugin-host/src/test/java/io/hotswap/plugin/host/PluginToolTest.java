package io.hotswap.plugin.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./hotswap plugin}: a plugin author makes a key, signs the sample jar and checks it as a host would. */
class PluginToolTest {

  @TempDir
  Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    out.reset();
    err.reset();
    return PluginTool.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void makesAKeySignsAJarAndVerifiesItAsAHostWould() throws Exception {
    Path jar = dir.resolve("greeting-1.0.0.jar");
    Files.write(jar, TestJars.greeting(1));

    assertThat(run("keygen", "--out", dir.resolve("keys").toString())).isZero();
    assertThat(Files.getPosixFilePermissions(dir.resolve("keys/publisher.key"))).hasSize(2); // owner read and write only
    assertThat(run("keygen", "--out", dir.resolve("keys").toString())).as("never overwrites a key").isEqualTo(2);
    assertThat(err.toString()).contains("exists");

    assertThat(run("sign", jar.toString(), "--key", dir.resolve("keys/publisher.key").toString())).isZero();
    assertThat(out.toString()).contains("signed greeting@1.0.0", "sha256 " + PluginSignatures.sha256(Files.readAllBytes(jar)));
    assertThat(dir.resolve("greeting-1.0.0.jar.sig")).exists();

    assertThat(run("verify", jar.toString(), "--publisher", dir.resolve("keys/publisher.pub").toString())).isZero();
    assertThat(out.toString()).contains("ok: greeting@1.0.0 (extension, entry point com.example.greeting.GreetingPlugin, plugin API 1.0)");
    assertThat(run("inspect", jar.toString())).isZero();
    assertThat(out.toString()).startsWith("greeting@1.0.0");

    // one changed byte and the signature no longer holds
    byte[] bytes = Files.readAllBytes(jar);
    bytes[bytes.length / 2] ^= 1;
    Files.write(jar, bytes);
    assertThat(run("verify", jar.toString(), "--publisher", dir.resolve("keys/publisher.pub").toString())).isEqualTo(1);
    assertThat(err.toString()).startsWith("refused (bad-signature)");
  }

  @Test
  void explainsUsageMistakes() throws Exception {
    assertThat(run()).isEqualTo(2);
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(err.toString()).contains("unknown command frobnicate");
    assertThat(run("sign", "a.jar")).isEqualTo(2);
    assertThat(err.toString()).contains("--key is needed");
    assertThat(run("sign", "--key")).isEqualTo(2);
    assertThat(run("inspect")).isEqualTo(2);
    assertThat(err.toString()).contains("the plugin jar is needed");
    assertThat(run("inspect", "a.jar", "b.jar")).isEqualTo(2);
    Path notAPlugin = dir.resolve("lib.jar");
    Files.write(notAPlugin, TestJars.jar(java.util.Map.of(), java.util.Map.of()));
    assertThat(run("inspect", notAPlugin.toString())).isEqualTo(1);
    assertThat(err.toString()).startsWith("refused (bad-manifest)").contains("no HotSwap-Plugin-Id");
  }
}
