package io.hotswap.client;

import java.util.List;
import java.util.Objects;

/** The running instance a client speaks for: canary targets name instance ids or tags. */
public record Instance(String instanceId, String service, List<String> tags) {

  public Instance {
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(service, "service");
    tags = List.copyOf(tags);
  }
}
