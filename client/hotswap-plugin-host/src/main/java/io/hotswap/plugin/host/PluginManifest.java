package io.hotswap.plugin.host;

import io.hotswap.plugin.api.PluginApi;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import org.semver4j.Semver;

/**
 * What a plugin jar says about itself in {@code META-INF/MANIFEST.MF} (the attribute names are in
 * {@link PluginApi}): id, semantic version, type, entry point class, the API version it was built
 * against and the plugins it depends on.
 */
public record PluginManifest(String id, String version, String type, String entryPoint, String apiVersion,
    List<Dependency> dependencies) {

  static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final Pattern CLASS_NAME = Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*");
  private static final Pattern API = Pattern.compile("(0|[1-9]\\d{0,3})\\.(0|[1-9]\\d{0,3})");

  public PluginManifest {
    dependencies = List.copyOf(dependencies);
  }

  /** Reads and checks the manifest of a jar; every problem is named in the rejection. */
  public static PluginManifest read(byte[] jar) throws PluginRejected {
    Manifest manifest;
    try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
      manifest = in.getManifest();
    } catch (IOException e) {
      throw new PluginRejected(PluginRejected.Reason.BAD_MANIFEST, "not a jar: " + e.getMessage(), e);
    }
    if (manifest == null) {
      throw new PluginRejected(PluginRejected.Reason.BAD_MANIFEST, "the jar has no META-INF/MANIFEST.MF");
    }
    Attributes a = manifest.getMainAttributes();
    List<String> problems = new ArrayList<>();
    String id = required(a, PluginApi.ID, problems);
    if (id != null && !ID.matcher(id).matches()) {
      problems.add(PluginApi.ID + " '" + id + "' must be lower-case letters, digits, '.', '_' or '-' (at most 64)");
    }
    String version = required(a, PluginApi.PLUGIN_VERSION, problems);
    if (version != null && Semver.parse(version) == null) {
      problems.add(PluginApi.PLUGIN_VERSION + " '" + version + "' is not a semantic version like 1.4.2");
    }
    String entry = required(a, PluginApi.ENTRY_POINT, problems);
    if (entry != null && !CLASS_NAME.matcher(entry).matches()) {
      problems.add(PluginApi.ENTRY_POINT + " '" + entry + "' is not a class name");
    }
    String api = required(a, PluginApi.API_VERSION, problems);
    if (api != null && !API.matcher(api).matches()) {
      problems.add(PluginApi.API_VERSION + " '" + api + "' must be MAJOR.MINOR, e.g. " + PluginApi.VERSION);
    }
    String type = a.getValue(PluginApi.TYPE) == null ? "extension" : a.getValue(PluginApi.TYPE).trim();
    List<Dependency> deps = new ArrayList<>();
    String declared = a.getValue(PluginApi.DEPENDENCIES);
    if (declared != null && !declared.isBlank()) {
      for (String d : declared.split(",")) {
        try {
          deps.add(Dependency.parse(d));
        } catch (PluginRejected e) {
          problems.add(e.getMessage());
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new PluginRejected(PluginRejected.Reason.BAD_MANIFEST, String.join("; ", problems));
    }
    return new PluginManifest(id, new Semver(version).getVersion(), type, entry, api, deps);
  }

  /** Whether this runtime's API ({@link PluginApi#VERSION}) can run a plugin built against {@link #apiVersion}. */
  public boolean runsOn(String runtimeApi) {
    String[] need = apiVersion.split("\\.");
    String[] have = runtimeApi.split("\\.");
    return need[0].equals(have[0]) && Integer.parseInt(need[1]) <= Integer.parseInt(have[1]);
  }

  /** {@code id@version}, how logs and reports name one plugin version. */
  public String coordinates() {
    return id + "@" + version;
  }

  private static String required(Attributes a, String name, List<String> problems) {
    String v = a.getValue(name);
    if (v == null || v.isBlank()) {
      problems.add("the manifest has no " + name);
      return null;
    }
    return v.trim();
  }
}
