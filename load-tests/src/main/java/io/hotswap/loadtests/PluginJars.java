package io.hotswap.loadtests;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;

/** The sample plugin's jar, padded to a given size with incompressible bytes (a realistic 1 MB plugin). */
final class PluginJars {

  private PluginJars() {}

  static Path sampleJar() {
    Path p = Path.of("client/sample-plugin-greeting-v1/target/hotswap-sample-plugin-greeting-v1-0.1.0-SNAPSHOT.jar");
    if (!Files.exists(p)) {
      throw new IllegalStateException(p + " is missing: build first (./hotswap build)");
    }
    return p;
  }

  static byte[] padded(Path jar, int bytes) {
    try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(Files.readAllBytes(jar)))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (JarOutputStream o = new JarOutputStream(out, in.getManifest())) {
        for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
          o.putNextEntry(new JarEntry(e.getName()));
          o.write(in.readAllBytes());
        }
        byte[] padding = new byte[bytes];
        new Random(42).nextBytes(padding); // random bytes don't compress: the jar really is that big
        o.putNextEntry(new JarEntry("assets/padding.bin"));
        o.write(padding);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
