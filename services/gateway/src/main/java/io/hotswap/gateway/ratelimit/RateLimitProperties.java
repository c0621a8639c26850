package io.hotswap.gateway.ratelimit;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Per-tenant limits ({@code hotswap.rate-limits.*}): defaults as the product specification sets them — config reads
 * 1000/min, config writes 100/min, deployments 10/hour — overridable per tier ({@code
 * hotswap.rate-limits.tiers.pro.writes-per-minute=500}, {@code
 * hotswap.rate-limits.tiers.enterprise.deployments-per-hour=50}).
 */
@ConfigurationProperties("hotswap.rate-limits")
public record RateLimitProperties(Boolean enabled, Limits defaults, Map<String, Limits> tiers) {

  /** Requests per period; null means "as the defaults". */
  public record Limits(Integer readsPerMinute, Integer writesPerMinute, Integer deploymentsPerHour) {}

  /** A bucket's size and the time it takes to refill completely. */
  public record Limit(int capacity, Duration period) {
    /** "per minute" / "per hour", for messages. */
    public String per() {
      return period.equals(Duration.ofHours(1)) ? "per hour" : "per minute";
    }
  }

  public RateLimitProperties {
    enabled = enabled == null || enabled;
    Limits d = defaults == null ? new Limits(null, null, null) : defaults;
    defaults = new Limits(d.readsPerMinute() == null ? 1000 : d.readsPerMinute(), d.writesPerMinute() == null ? 100 : d.writesPerMinute(),
        d.deploymentsPerHour() == null ? 10 : d.deploymentsPerHour());
    tiers = tiers == null ? Map.of() : Map.copyOf(tiers);
  }

  /** The limit for a tier ("free", "pro", "enterprise") and kind. */
  public Limit limit(String tier, RateLimits.Kind kind) {
    Limits t = tier == null ? null : tiers.get(tier.toLowerCase(java.util.Locale.ROOT));
    return switch (kind) {
      case READ -> new Limit(t != null && t.readsPerMinute() != null ? t.readsPerMinute() : defaults.readsPerMinute(), Duration.ofMinutes(1));
      case WRITE -> new Limit(t != null && t.writesPerMinute() != null ? t.writesPerMinute() : defaults.writesPerMinute(), Duration.ofMinutes(1));
      case DEPLOY -> new Limit(t != null && t.deploymentsPerHour() != null ? t.deploymentsPerHour() : defaults.deploymentsPerHour(),
          Duration.ofHours(1));
    };
  }
}
