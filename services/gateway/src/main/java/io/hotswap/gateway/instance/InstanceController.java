package io.hotswap.gateway.instance;

import io.hotswap.avro.InstanceState;
import io.hotswap.avro.ServiceInstance;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.Texts;
import io.hotswap.gateway.pipeline.CommandGateway;
import io.hotswap.gateway.reads.Page;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.reads.Waits;
import io.hotswap.gateway.security.TenantScope;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The instance registry (which running instances hold which values, and their health) for
 * services that don't embed the Java client: register, heartbeat, deregister, list and read. Writes go to {@code hotswap.instances.v1} like
 * the client's heartbeats; the rollout service keeps the registry (status, applied versions,
 * eviction) and every gateway reads it from a global store of {@code hotswap.instance-registry.v1}.
 */
@RestController
@RequestMapping("/api/v1/instances")
class InstanceController {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9._:=-]{1,64}");

  private final CommandGateway gateway;
  private final StoreRouter router;
  private final Serdes serdes;
  private final TenantScope scope;
  private final Duration wait;
  private final Duration defaultPeriod;

  InstanceController(CommandGateway gateway, StoreRouter router, Serdes serdes, TenantScope scope, Duration readYourWritesWait,
                     @Value("${hotswap.instances.heartbeat-period:PT30S}") Duration defaultPeriod) {
    this.gateway = gateway;
    this.router = router;
    this.serdes = serdes;
    this.scope = scope;
    this.wait = readYourWritesWait;
    this.defaultPeriod = defaultPeriod;
  }

  /** {@code POST} body: {@code service} is required; {@code instanceId} defaults to a random id. */
  record Register(String instanceId, String service, String host, Integer port, String environment, List<String> tags,
                  Long heartbeatPeriodMs) {}

  @PostMapping
  ResponseEntity<InstanceView> register(@RequestBody Register body) {
    if (body == null) {
      throw Rejection.badRequest("missing-body", "a JSON body is required", null);
    }
    String id = body.instanceId() == null ? "rest-" + UUID.randomUUID() : body.instanceId();
    require(ID, id, "instanceId", "1-128 of letters, digits and . _ : -");
    if (body.service() == null || body.service().isBlank()) {
      throw Rejection.badRequest("invalid-instance", "service is required", "service");
    }
    require(ID, body.service(), "service", "1-128 of letters, digits and . _ : -");
    if (body.port() != null && (body.port() < 1 || body.port() > 65535)) {
      throw Rejection.badRequest("invalid-instance", "port must be between 1 and 65535", "port");
    }
    if (body.environment() != null && !Topics.ENVIRONMENTS.contains(body.environment())) {
      throw Rejection.badRequest("invalid-instance", "environment must be one of " + Topics.ENVIRONMENTS, "environment");
    }
    List<String> tags = body.tags() == null ? List.of() : body.tags();
    if (tags.size() > 32) {
      throw Rejection.badRequest("invalid-instance", "at most 32 tags", "tags");
    }
    tags.forEach(t -> require(TAG, t, "tags", "1-64 of letters, digits and . _ : = -"));
    long period = body.heartbeatPeriodMs() == null ? defaultPeriod.toMillis() : body.heartbeatPeriodMs();
    if (period < 100 || period > Duration.ofHours(1).toMillis()) {
      throw Rejection.badRequest("invalid-instance", "heartbeatPeriodMs must be between 100 and 3600000", "heartbeatPeriodMs");
    }
    ServiceInstance beat = ServiceInstance.newBuilder().setInstanceId(id).setService(body.service()).setHost(body.host())
        .setPort(body.port()).setEnvironment(body.environment()).setClientVersion("rest").setTags(tags)
        .setHeartbeatPeriodMs(period).setSentAt(Instant.now()).build();
    InstanceState state = send(beat);
    return ResponseEntity.created(URI.create("/api/v1/instances/" + id)).body(InstanceView.of(state, scope.allowedTenants()));
  }

  @GetMapping
  Page<InstanceView> list(@RequestParam(required = false) String service, @RequestParam(required = false) String status,
                          @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
    Page.check(page, size);
    var visible = scope.allowedTenants();
    List<InstanceView> all = new ArrayList<>();
    try (KeyValueIterator<String, InstanceState> it = store().all()) {
      it.forEachRemaining(kv -> {
        if (service == null || service.equals(kv.value.getInstance().getService())) {
          InstanceView v = InstanceView.of(kv.value, visible);
          if (status == null || status.equalsIgnoreCase(v.status())) {
            all.add(v);
          }
        }
      });
    }
    all.sort(Comparator.comparing(InstanceView::service).thenComparing(InstanceView::instanceId));
    return Page.of(all, page, size);
  }

  @GetMapping("/{instanceId}")
  InstanceView get(@PathVariable String instanceId) {
    return InstanceView.of(existing(instanceId), scope.allowedTenants());
  }

  /** A heartbeat for a registered instance: 200 with its view, 404 when it isn't registered (register again). */
  @PostMapping("/{instanceId}/heartbeat")
  InstanceView heartbeat(@PathVariable String instanceId) {
    InstanceState known = existing(instanceId);
    ServiceInstance beat = ServiceInstance.newBuilder(known.getInstance()).setSentAt(Instant.now()).build();
    return InstanceView.of(send(beat), scope.allowedTenants());
  }

  @DeleteMapping("/{instanceId}")
  ResponseEntity<Void> deregister(@PathVariable String instanceId) {
    existing(instanceId);
    gateway.publish(Topics.INSTANCES, instanceId, null);
    Waits.until(() -> store().get(instanceId), Objects::isNull, wait,
        () -> "instance '" + instanceId + "' is deregistered but the registry does not show it yet; retry");
    return ResponseEntity.noContent().build();
  }

  private InstanceState send(ServiceInstance beat) {
    gateway.publish(Topics.INSTANCES, beat.getInstanceId(), serdes.serviceInstance().toBytes(beat));
    // the registry shows this beat or a later one: two beats of one instance sent at once must both
    // be answered (waiting for exactly this one left the earlier waiting until it gave up with 503)
    return Waits.until(() -> store().get(beat.getInstanceId()),
        s -> s != null && !s.getInstance().getSentAt().isBefore(beat.getSentAt()), wait,
        () -> "heartbeat of '" + beat.getInstanceId() + "' is written but the registry does not show it yet; retry");
  }

  private InstanceState existing(String instanceId) {
    InstanceState s = ID.matcher(instanceId).matches() ? store().get(instanceId) : null;
    if (s == null) {
      throw Rejection.notFound("instance-not-found", "instance '" + Texts.abbreviate(instanceId) + "' is not registered", "instanceId");
    }
    return s;
  }

  private static void require(Pattern pattern, String value, String field, String rule) {
    if (value == null || !pattern.matcher(value).matches()) {
      throw Rejection.badRequest("invalid-instance", field + " must be " + rule, field);
    }
  }

  private ReadOnlyKeyValueStore<String, InstanceState> store() {
    return router.globalStore(ReadTopology.INSTANCES_STORE);
  }
}
