package io.hotswap.gateway.watch;

import io.hotswap.core.domain.Environments;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.TenantIds;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.security.TenantScope;
import io.hotswap.protocol.Topics;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.Set;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET /api/v1/watch}: the changes that go live, as server-sent events, for as long as the
 * caller watches ({@code timeout}, at most an hour: a watcher reconnects, as every SSE client does).
 * First a {@code ready} event (from then on nothing is missed), then a {@code change} event per
 * live record: a key's new value or deletion, a profile's new version, a rollout's next step.
 */
@RestController
class WatchController {

  static final Duration MAX = Duration.ofHours(1);
  static final Duration DEFAULT = Duration.ofMinutes(30);

  private final LiveWatch live;
  private final TenantScope scope;

  WatchController(LiveWatch live, TenantScope scope) {
    this.live = live;
    this.scope = scope;
  }

  @GetMapping("/api/v1/watch")
  SseEmitter watch(@RequestParam(required = false) String tenantId, @RequestParam(required = false) String environment,
                   @RequestParam(required = false) String timeout) {
    Set<String> tenants;
    if (tenantId != null) {
      tenants = Set.of(scope.visibleTenant(TenantIds.require(tenantId)));
    } else {
      tenants = scope.allowedTenants(); // null: every tenant (a token not scoped to tenants)
    }
    Set<String> environments = environment == null ? new LinkedHashSet<>(Topics.ENVIRONMENTS) : Set.of(Environments.require(environment));
    SseEmitter emitter = new SseEmitter(duration(timeout).toMillis());
    if (!live.watch(new LiveWatch.Filter(tenants, environments), emitter)) {
      throw new StoreRouter.StoreUnavailable("this gateway has as many watchers as it takes (hotswap.gateway.watch.max-watchers); retry on another");
    }
    return emitter;
  }

  private static Duration duration(String timeout) {
    if (timeout == null) {
      return DEFAULT;
    }
    try {
      Duration d = Duration.parse(timeout);
      if (d.isNegative() || d.isZero() || d.compareTo(MAX) > 0) {
        throw Rejection.badRequest("invalid-timeout", "timeout must be more than zero and at most PT1H", "timeout");
      }
      return d;
    } catch (DateTimeParseException e) {
      throw Rejection.badRequest("invalid-timeout", "timeout is an ISO-8601 duration, e.g. PT10M", "timeout");
    }
  }
}
