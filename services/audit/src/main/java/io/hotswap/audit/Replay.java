package io.hotswap.audit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folds a tenant's audit events, oldest first, into what was live when the last of them
 * happened: per environment and key the value of record and its version, and — while a
 * deployment was rolling it out — the stable value most callers got and the candidate its
 * audience got. Secrets stay masked: the trail never holds them in clear.
 */
final class Replay {

  /** One key at the replayed instant. */
  record Live(String environment, String key, String value, long version, String since, String eventType, String actor,
              Deployment deployment) {}

  /** A deployment in progress at the replayed instant: most callers had {@code stableValue}. */
  record Deployment(String deploymentId, String stableValue, Long stableVersion, String candidateValue, long candidateVersion) {}

  private final Map<String, Live> keys = new TreeMap<>();

  /** Applies one audit row (as {@link AuditRepository} maps it). */
  void accept(Map<String, Object> row) {
    String env = (String) row.get("environment");
    String key = (String) row.get("key");
    if (env == null || key == null) {
      return;
    }
    String id = env + '|' + key;
    Live before = keys.get(id);
    String type = (String) row.get("eventType");
    long version = (Long) row.get("version");
    String value = (String) row.get("newValue");
    String at = (String) row.get("timestamp");
    String actor = (String) row.get("actor");
    switch (type) {
      case "CONFIG_DELETED" -> keys.remove(id);
      case "DEPLOYMENT_STARTED" -> keys.put(id, new Live(env, key, value, version, at, type, actor,
          new Deployment((String) row.get("resourceId"), (String) row.get("oldValue"), before == null ? null : before.version(), value, version)));
      case "DEPLOYMENT_COMPLETED" -> {
        if (before != null) {
          keys.put(id, new Live(env, key, before.value(), before.version(), at, type, actor, null));
        }
      }
      default -> keys.put(id, new Live(env, key, value, version, at, type, actor, null));
    }
  }

  /** The keys live at the instant, by environment and key, as the API shows them. */
  List<Map<String, Object>> live() {
    List<Map<String, Object>> items = new ArrayList<>();
    for (Live l : keys.values()) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("environment", l.environment());
      item.put("key", l.key());
      item.put("value", l.deployment() == null ? l.value() : l.deployment().stableValue());
      item.put("version", l.deployment() == null || l.deployment().stableVersion() == null ? l.version() : l.deployment().stableVersion());
      item.put("since", l.since());
      item.put("lastEvent", l.eventType());
      item.put("actor", l.actor());
      if (l.deployment() != null) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("deploymentId", l.deployment().deploymentId());
        d.put("candidateValue", l.deployment().candidateValue());
        d.put("candidateVersion", l.deployment().candidateVersion());
        item.put("deployment", d);
      }
      items.add(item);
    }
    return items;
  }
}
