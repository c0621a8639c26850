package io.hotswap.plugin.host;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.semver4j.Semver;

/**
 * Resolves a plugin version's dependencies among the versions available: for each dependency the
 * highest version its range accepts, transitively. One plugin version runs with exactly one version
 * of each plugin it needs, directly or not; when two paths need versions no single one satisfies,
 * the rejection names both chains.
 */
public final class Dependencies {

  private Dependencies() {}

  /**
   * The versions a plugin needs, dependencies before their dependents (the root last).
   *
   * @param available every installed version, by plugin id
   */
  public static List<PluginManifest> resolve(PluginManifest root, Map<String, List<PluginManifest>> available)
      throws PluginRejected {
    Map<String, Chosen> chosen = new LinkedHashMap<>();
    chosen.put(root.id(), new Chosen(root, root.coordinates(), root.version()));
    List<PluginManifest> order = new ArrayList<>();
    visit(root, root.coordinates(), new java.util.HashSet<>(List.of(root.id())), available, chosen, order);
    order.add(root);
    return order;
  }

  private record Chosen(PluginManifest manifest, String chain, String range) {}

  private static void visit(PluginManifest m, String chain, java.util.Set<String> onPath, Map<String, List<PluginManifest>> available,
      Map<String, Chosen> chosen, List<PluginManifest> order) throws PluginRejected {
    for (Dependency d : m.dependencies()) {
      String path = chain + " → " + d;
      if (onPath.contains(d.id())) {
        throw new PluginRejected(PluginRejected.Reason.DEPENDENCY_CONFLICT, "dependency cycle: " + path);
      }
      Chosen before = chosen.get(d.id());
      if (before != null) {
        if (!d.acceptsVersion(before.manifest().version())) {
          throw new PluginRejected(PluginRejected.Reason.DEPENDENCY_CONFLICT, "conflicting versions of " + d.id() + ": "
              + before.chain() + " chose " + before.manifest().version() + ", but " + path + " does not accept it");
        }
        continue;
      }
      Optional<PluginManifest> best = available.getOrDefault(d.id(), List.of()).stream()
          .filter(c -> d.acceptsVersion(c.version()))
          .max(Comparator.comparing(c -> new Semver(c.version())));
      if (best.isEmpty()) {
        throw new PluginRejected(PluginRejected.Reason.MISSING_DEPENDENCY, "no installed version of " + d.id()
            + " satisfies " + d.range() + " (needed by " + path + "); installed: "
            + available.getOrDefault(d.id(), List.of()).stream().map(c -> new Semver(c.version())).sorted()
                .map(Semver::getVersion).toList());
      }
      chosen.put(d.id(), new Chosen(best.get(), path, d.range()));
      onPath.add(d.id());
      visit(best.get(), path + " (" + best.get().version() + ")", onPath, available, chosen, order);
      onPath.remove(d.id());
      order.add(best.get());
    }
  }
}
