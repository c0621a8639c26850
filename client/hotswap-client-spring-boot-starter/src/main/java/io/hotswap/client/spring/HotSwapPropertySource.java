package io.hotswap.client.spring;

import io.hotswap.client.ConfigValue;
import io.hotswap.client.HotSwapClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.core.env.EnumerablePropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The tenant's HotSwap keys as Spring properties ({@code feature.new_ui}, {@code
 * payment.timeout-ms}), plus the members of the service's profile flattened to dot paths; keys win
 * over profile members. Reads the client's live snapshot on every lookup, so {@code Environment}
 * always answers the current value. JSON values are given as their JSON text.
 */
public final class HotSwapPropertySource extends EnumerablePropertySource<HotSwapClient> {

  public static final String NAME = "hotswap";

  private final String tenant;
  private final String service;
  private final AtomicReference<Flat> profile = new AtomicReference<>(new Flat(-1, Map.of()));
  private final AtomicReference<Names> names = new AtomicReference<>(new Names(-1, new String[0]));

  private record Flat(long version, Map<String, String> values) {}

  /** Property names as of a client revision: binding asks for them on every lookup, the snapshot changes rarely. */
  private record Names(long revision, String[] names) {}

  public HotSwapPropertySource(HotSwapClient client, String tenant, String service) {
    super(NAME, client);
    this.tenant = tenant;
    this.service = service;
  }

  @Override
  public String[] getPropertyNames() {
    long revision = getSource().revision();
    Names cached = names.get();
    if (cached.revision() != revision) {
      Map<String, String> all = new LinkedHashMap<>(profile());
      getSource().all(tenant).forEach((k, v) -> {
        if (v.kind() == ConfigValue.Kind.KEY) {
          all.put(k, "");
        }
      });
      cached = new Names(revision, all.keySet().toArray(String[]::new));
      names.set(cached);
    }
    return cached.names().clone();
  }

  @Override
  public Object getProperty(String name) {
    var value = getSource().get(tenant, name);
    if (value.isPresent()) {
      return value.get().text();
    }
    return profile().get(name);
  }

  private Map<String, String> profile() {
    if (service == null) {
      return Map.of();
    }
    var current = getSource().getProfile(tenant, service);
    if (current.isEmpty()) {
      return Map.of();
    }
    Flat flat = profile.get();
    if (flat.version() != current.get().version()) {
      Map<String, String> values = new LinkedHashMap<>();
      getSource().getProfileDocument(tenant, service).ifPresent(doc -> flatten("", doc, values));
      flat = new Flat(current.get().version(), Map.copyOf(values));
      profile.set(flat);
    }
    return flat.values();
  }

  private static void flatten(String path, JsonNode node, Map<String, String> out) {
    if (node.isObject()) {
      node.properties().forEach(e -> flatten(path.isEmpty() ? e.getKey() : path + '.' + e.getKey(), e.getValue(), out));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        flatten(path + '[' + i + ']', node.get(i), out);
      }
    } else if (!node.isNull() && !path.isEmpty()) {
      out.put(path, node.asString());
    }
  }
}
