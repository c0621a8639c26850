package io.hotswap.gateway.ratelimit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.hotswap.avro.Tenant;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.security.AccessMatrix;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Per-tenant token buckets (Bucket4j), held only by the gateway instance that owns the tenant's
 * partition — the same instance that answers the tenant's reads — so a tenant's limit holds across
 * any number of gateway instances: other instances ask the owner for a token. Tolerance: when
 * ownership moves (an instance joins or leaves), the new owner starts the tenant with a full
 * bucket, so for one refill period a tenant can get up to one extra bucket's worth.
 */
@Component
public class RateLimits {

  /** What is limited: config reads, config writes, deployments started. */
  public enum Kind { READ, WRITE, DEPLOY }

  /** The limit the current request's endpoint costs (its access-matrix row), set by {@link RateLimitInterceptor}. */
  public static final String LIMIT_ATTRIBUTE = RateLimits.class.getName() + ".limit";
  /** Set once the current request paid: a request costs its tenant one token however often its tenant is checked. */
  private static final String CHARGED_ATTRIBUTE = RateLimits.class.getName() + ".charged";
  /** Set when the current request was refused: charged again (a request handed on), it is refused again, and counted once. */
  private static final String REFUSED_ATTRIBUTE = RateLimits.class.getName() + ".refused";

  /** The owner's answer: allowed or not, what is left, when to retry. */
  public record Decision(boolean allowed, int limit, long remaining, long retryAfterSeconds, String per) {}

  private final RateLimitProperties properties;
  private final StoreRouter router;
  private final Map<BucketKey, Bucket> buckets = new ConcurrentHashMap<>();

  /** A tenant's bucket for one kind at one limit (a tier change makes a new bucket). */
  private record BucketKey(String tenantId, Kind kind, RateLimitProperties.Limit limit) {}
  /**
   * Each tenant's tier, remembered for a second: decoding the tenant record from the global store
   * on every request was a visible share of a read's CPU; a tier change takes effect within that
   * second. A tenant not (yet) in this instance's store is not remembered: its next request looks again.
   */
  private final com.github.benmanes.caffeine.cache.Cache<String, String> tiers =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder().expireAfterWrite(Duration.ofSeconds(1)).maximumSize(100_000).build();

  private final io.micrometer.core.instrument.MeterRegistry meters;

  /**
   * Counts what it refuses as {@code ratelimit.rejections} with the tag {@code limit} (read, write
   * or deploy) — not the tenant: a tenant's own 429s are in its responses, and a tag per tenant
   * would grow without bound.
   */
  RateLimits(RateLimitProperties properties, StoreRouter router, io.micrometer.core.instrument.MeterRegistry meters) {
    this.properties = properties;
    this.router = router;
    this.meters = meters;
  }

  /**
   * Charges the current request's tenant what its endpoint costs (the access matrix's limit
   * column), once per request. {@link io.hotswap.gateway.security.TenantScope} calls it when the
   * caller is known to be allowed on the tenant, so a caller without the role (403) or without
   * the tenant (404) never spends the tenant's tokens. Throws {@link RateLimited} (429) when none
   * is left.
   */
  public void charge(String tenantId) {
    if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes current) {
      charge(tenantId, current.getRequest(), current.getResponse());
    }
  }

  /**
   * {@link #charge(String)} for a request answered ahead of Spring's request context (the direct
   * read path runs before the filter that sets it).
   */
  public void charge(String tenantId, HttpServletRequest request, HttpServletResponse response) {
    if (request.getAttribute(REFUSED_ATTRIBUTE) instanceof RateLimited refused) {
      throw refused;
    }
    if (!(request.getAttribute(LIMIT_ATTRIBUTE) instanceof AccessMatrix.Limit limit) || request.getAttribute(CHARGED_ATTRIBUTE) != null) {
      return;
    }
    Kind kind = switch (limit) {
      case READ -> Kind.READ;
      case WRITE -> Kind.WRITE;
      case DEPLOY -> Kind.DEPLOY;
      case NONE, WRITE_PER_ITEM -> null; // a batch's cost depends on its items: chargeItems
    };
    if (kind != null) {
      request.setAttribute(CHARGED_ATTRIBUTE, tenantId);
      check(tenantId, kind, 1, request, response);
    }
  }

  /**
   * Forgets what the request costs and that it was charged, for a request looked at and then handed
   * on to be answered by the controller ({@code FastConfigReads}): it is charged there — unless
   * it was refused already, which holds (the refusal is answered, and counted, once).
   */
  public static void forget(HttpServletRequest request) {
    request.removeAttribute(LIMIT_ATTRIBUTE);
    request.removeAttribute(CHARGED_ATTRIBUTE);
  }

  /** Charges a batch one write token per item, all or none (an endpoint whose limit is write-per-item). */
  public void chargeItems(String tenantId, int items) {
    if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes current
        && current.getRequest().getAttribute(LIMIT_ATTRIBUTE) == AccessMatrix.Limit.WRITE_PER_ITEM
        && current.getRequest().getAttribute(CHARGED_ATTRIBUTE) == null) {
      current.getRequest().setAttribute(CHARGED_ATTRIBUTE, tenantId);
      check(tenantId, Kind.WRITE, items, current.getRequest(), current.getResponse());
    }
  }

  /**
   * Takes {@code tokens} tokens at once (a batch of writes costs one per item): all or none. A
   * batch larger than the tenant's whole bucket could never pass, so it is refused as such (422)
   * instead of being told to retry.
   */
  private void check(String tenantId, Kind kind, int tokens, HttpServletRequest request, HttpServletResponse response) {
    // a forwarded request (its X-HotSwap-Forwarded header is signed by a peer: PeerFilter) was counted where it arrived
    if (!properties.enabled() || request.getHeader(StoreRouter.FORWARDED_HEADER) != null) {
      return;
    }
    Decision d = router.askOwner(tenantId, () -> consumeLocally(tenantId, kind, tokens),
        "/internal/v1/rate-limits/" + tenantId + "/" + kind.name().toLowerCase(java.util.Locale.ROOT) + (tokens == 1 ? "" : "?tokens=" + tokens),
        Decision.class);
    response.setHeader("RateLimit-Limit", Integer.toString(d.limit()));
    response.setHeader("RateLimit-Remaining", Long.toString(d.remaining()));
    if (tokens > d.limit()) {
      throw io.hotswap.core.domain.Rejection.unprocessable("batch-exceeds-rate-limit", "this request needs " + tokens + " "
          + kind.name().toLowerCase(java.util.Locale.ROOT) + " tokens but tenant '" + tenantId + "' may use at most " + d.limit() + " "
          + (d.per() == null ? "per minute" : d.per()) + "; split it into smaller batches", "items");
    }
    if (!d.allowed()) {
      meters.counter("ratelimit.rejections", "limit", kind.name().toLowerCase(java.util.Locale.ROOT)).increment();
      RateLimited refused = new RateLimited(tenantId, kind, d);
      request.setAttribute(REFUSED_ATTRIBUTE, refused);
      throw refused;
    }
  }

  /** Consumes a token from this instance's bucket (called on the owner). */
  public Decision consumeLocally(String tenantId, Kind kind) {
    return consumeLocally(tenantId, kind, 1);
  }

  /** Consumes {@code tokens} tokens from this instance's bucket, all or none (called on the owner). */
  public Decision consumeLocally(String tenantId, Kind kind, int tokens) {
    RateLimitProperties.Limit limit = properties.limit(tierOf(tenantId), kind);
    Bucket bucket = buckets.computeIfAbsent(new BucketKey(tenantId, kind, limit), k -> Bucket.builder()
        .addLimit(l -> l.capacity(limit.capacity()).refillGreedy(limit.capacity(), limit.period()))
        .build());
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(tokens);
    long retryAfter = probe.isConsumed() ? 0 : Math.max(1, Duration.ofNanos(probe.getNanosToWaitForRefill()).toSeconds() + 1);
    return new Decision(probe.isConsumed(), limit.capacity(), probe.getRemainingTokens(), retryAfter, limit.per());
  }

  private String tierOf(String tenantId) {
    String tier = tiers.getIfPresent(tenantId);
    if (tier == null) {
      tier = storedTierOf(tenantId);
      if (tier != null) {
        tiers.put(tenantId, tier);
      }
    }
    return tier;
  }

  private String storedTierOf(String tenantId) {
    try {
      Tenant tenant = router.<Tenant>globalStore(ReadTopology.TENANTS_STORE).get(tenantId);
      return tenant == null ? null : tenant.getTier().name();
    } catch (StoreRouter.StoreUnavailable e) {
      return null;
    }
  }

  /** 429: the tenant used its tokens. */
  public static final class RateLimited extends RuntimeException {
    private final transient Decision decision;

    RateLimited(String tenantId, Kind kind, Decision decision) {
      super("tenant '" + tenantId + "' exceeded its limit of " + decision.limit() + " "
          + (kind == Kind.DEPLOY ? "deployments" : "config " + kind.name().toLowerCase(java.util.Locale.ROOT) + "s") + " "
          + (decision.per() == null ? "per minute" : decision.per()) + "; retry in " + decision.retryAfterSeconds() + " s");
      this.decision = decision;
    }

    public Decision decision() {
      return decision;
    }
  }
}
