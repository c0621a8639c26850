package io.hotswap.plugin.host;

import io.hotswap.plugin.api.PluginApi;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Plugin jars for the tests: the sample plugin as Maven built it, and small ones built here. */
final class TestJars {

  private TestJars() {}

  /** Calls a tenant's plugin through the general-purpose extension point. */
  static String invoke(PluginHost host, String tenant, String pluginId, String operation, Map<String, String> args)
      throws Exception {
    return host.call(tenant, pluginId, io.hotswap.plugin.api.Invocable.class, p -> p.invoke(operation, args));
  }

  /** The sample plugin "greeting" in a version the build made (1 or 2): {@code target/sample-plugins/}. */
  static byte[] greeting(int major) {
    try {
      return Files.readAllBytes(Path.of("target/sample-plugins/hotswap-sample-plugin-greeting-v" + major + ".jar"));
    } catch (IOException e) {
      throw new UncheckedIOException("the build copies the sample plugins before the tests run", e);
    }
  }

  /** A jar with these manifest attributes whose entries are the given test classes (by their bytes). */
  static byte[] jar(String id, String version, String entryPoint, String dependencies, Class<?>... classes) {
    Map<String, String> attrs = new LinkedHashMap<>();
    attrs.put(PluginApi.ID, id);
    attrs.put(PluginApi.PLUGIN_VERSION, version);
    attrs.put(PluginApi.ENTRY_POINT, entryPoint);
    attrs.put(PluginApi.API_VERSION, PluginApi.VERSION);
    if (dependencies != null) {
      attrs.put(PluginApi.DEPENDENCIES, dependencies);
    }
    return jar(attrs, Map.of("notes/read me.txt", (id + " " + version).getBytes(StandardCharsets.UTF_8)), classes);
  }

  static byte[] jar(Map<String, String> attributes, Map<String, byte[]> extra, Class<?>... classes) {
    Manifest m = new Manifest();
    m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    attributes.forEach((k, v) -> m.getMainAttributes().putValue(k, v));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JarOutputStream jar = new JarOutputStream(out, m)) {
      for (Class<?> c : classes) {
        String name = c.getName().replace('.', '/') + ".class";
        try (InputStream in = c.getClassLoader().getResourceAsStream(name)) {
          jar.putNextEntry(new JarEntry(name));
          jar.write(in.readAllBytes());
        }
      }
      for (Map.Entry<String, byte[]> e : extra.entrySet()) {
        jar.putNextEntry(new JarEntry(e.getKey()));
        jar.write(e.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
