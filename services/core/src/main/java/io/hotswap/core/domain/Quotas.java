package io.hotswap.core.domain;

import io.hotswap.avro.Tier;

/** Per-tier default quotas; a tenant may carry its own. */
public final class Quotas {

  private Quotas() {}

  public static int defaultMaxConfigs(Tier tier) {
    return switch (tier) {
      case FREE -> 100;
      case PRO -> 1_000;
      case ENTERPRISE -> 10_000;
    };
  }

  public static int defaultMaxEnvironments(Tier tier) {
    return switch (tier) {
      case FREE -> 2;
      case PRO, ENTERPRISE -> 4;
    };
  }
}
