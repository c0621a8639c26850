package io.hotswap.gateway.ratelimit;

import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Per-tenant limits ({@code hotswap.rate-limits.*}): defaults from seed 000 — config reads
 * 1000/min, config writes 100/min — overridable per tier ({@code
 * hotswap.rate-limits.tiers.pro.writes-per-minute=500}).
 */
@ConfigurationProperties("hotswap.rate-limits")
public record RateLimitProperties(Boolean enabled, Limits defaults, Map<String, Limits> tiers) {

  /** Requests per minute; null means "as the defaults". */
  public record Limits(Integer readsPerMinute, Integer writesPerMinute) {}

  public RateLimitProperties {
    enabled = enabled == null || enabled;
    Limits d = defaults == null ? new Limits(null, null) : defaults;
    defaults = new Limits(d.readsPerMinute() == null ? 1000 : d.readsPerMinute(), d.writesPerMinute() == null ? 100 : d.writesPerMinute());
    tiers = tiers == null ? Map.of() : Map.copyOf(tiers);
  }

  /** The limit per minute for a tier ("free", "pro", "enterprise") and kind. */
  public int perMinute(String tier, RateLimits.Kind kind) {
    Limits t = tier == null ? null : tiers.get(tier.toLowerCase(java.util.Locale.ROOT));
    Integer v = t == null ? null : (kind == RateLimits.Kind.READ ? t.readsPerMinute() : t.writesPerMinute());
    return v != null ? v : (kind == RateLimits.Kind.READ ? defaults.readsPerMinute() : defaults.writesPerMinute());
  }
}
