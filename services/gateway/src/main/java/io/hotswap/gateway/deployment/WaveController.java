package io.hotswap.gateway.deployment;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.Tenant;
import io.hotswap.avro.TenantStatus;
import io.hotswap.avro.Tier;
import io.hotswap.avro.Wave;
import io.hotswap.avro.WaveDeployment;
import io.hotswap.avro.WavePayload;
import io.hotswap.avro.WaveTenant;
import io.hotswap.avro.WaveTenantStatus;
import io.hotswap.core.deploy.WaveMachine;
import io.hotswap.core.domain.ApprovalPolicy;
import io.hotswap.core.domain.Environments;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.gateway.config.ConfigView;
import io.hotswap.gateway.pipeline.CommandGateway;
import io.hotswap.gateway.pipeline.Commands;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.reads.Waits;
import io.hotswap.gateway.security.TenantScope;
import io.hotswap.protocol.Topics;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * Wave deployments: one key's new value deployed across many tenants, wave by wave — by tier (Free,
 * then Pro, then Enterprise) or by tenant-id ranges — each tenant getting an ordinary deployment
 * (strategy, steps, health judgement, its own approval policy), each wave judged before the next
 * starts. The gateway plans the waves from the tenants it knows (active ones the caller may see);
 * rollout coordinates them. Starting and steering one is a platform operation: Admin and Operator.
 */
@RestController
@RequestMapping("/api/v1/deployments/waves")
class WaveController {

  /** Tiers in the order waves reach them: the tenants with the least at stake first. */
  private static final List<Tier> TIER_ORDER = List.of(Tier.FREE, Tier.PRO, Tier.ENTERPRISE);

  private final CommandGateway commands;
  private final StoreRouter router;
  private final TenantScope scope;
  private final Duration readYourWritesWait;

  WaveController(CommandGateway commands, StoreRouter router, TenantScope scope, Duration readYourWritesWait) {
    this.commands = commands;
    this.router = router;
    this.scope = scope;
    this.readYourWritesWait = readYourWritesWait;
  }

  /** A tenant-id range, both ends included ({@code "from": "a", "to": "hzzz"}); an end left out is open. */
  record Range(String from, String to) {
    boolean contains(String tenantId) {
      return (from == null || tenantId.compareTo(from) >= 0) && (to == null || tenantId.compareTo(to) <= 0);
    }

    String name() {
      return (from == null ? "" : from) + ".." + (to == null ? "" : to);
    }
  }

  /**
   * {@code POST /api/v1/deployments/waves}: deploy {@code value} to {@code key} (or version {@code
   * version} of the profile of {@code service}, its {@code document}) in {@code environment} of every
   * tenant in the waves: by tier (default), or {@code ranges} of tenant ids in order;
   * {@code tenants} narrows it to those tenants. The plan of each tenant's deployment takes the same
   * fields as {@code POST /api/v1/deployments} (default: canary, 10/25/50/100, 5 minutes a step);
   * {@code waveTimeout} (ISO-8601, default PT24H) bounds how long one wave may take.
   */
  record Start(String environment, String key, JsonNode value, String service, String version, JsonNode document, String schemaId,
               List<String> tenants, Boolean allTenants, List<Range> ranges, String strategy, List<Integer> steps, Duration bakeTime, String stickyBy,
               Double maxErrorRate, Double maxP99LatencyMs, Boolean instanceHealth, Duration waveTimeout) {}

  @PostMapping
  ResponseEntity<WaveView> start(@RequestBody(required = false) Start body, HttpServletRequest request) {
    if (body == null || body.environment() == null || (body.key() == null) == (body.service() == null)) {
      throw Rejection.badRequest("invalid-wave-deployment", "environment and either key (with value) or service (a profile's version"
          + " and document) are required", "key");
    }
    Environments.require(body.environment());
    io.hotswap.avro.ProfilePayload profile = body.service() == null ? null : profile(body);
    String key = profile == null ? io.hotswap.core.domain.ConfigKeys.require(body.key()) : StoreKeys.liveProfileKey(profile.getService());
    String value = profile == null ? ConfigView.text(body.value()) : profile.getDocument();
    if (value == null) {
      throw Rejection.badRequest("missing-value", "value (the candidate to roll out) is required", "value");
    }
    io.hotswap.avro.DeploymentPayload plan = DeploymentRequests.plan(body.strategy() == null ? io.hotswap.avro.DeploymentStrategy.CANARY
            : DeploymentRequests.strategy(body.strategy()), body.steps(), body.bakeTime(), body.stickyBy(), List.of(), List.of(),
        body.maxErrorRate(), body.maxP99LatencyMs(), body.instanceHealth()).build();
    io.hotswap.core.deploy.DeploymentMachine.plan(plan); // a bad plan is a 400 here, before any tenant gets it
    Command.Builder command = Commands.envelope(CommandType.WAVE_START, WaveMachine.ALL_TENANTS, request, scope.subject());
    String id = WaveMachine.waveDeploymentId(command.getCommandId());
    List<Wave> waves = waves(body);
    command.setWave(WavePayload.newBuilder()
        .setWaveDeploymentId(id)
        .setEnvironment(body.environment())
        .setKey(key)
        .setValue(value)
        .setProfile(profile)
        .setPlan(plan)
        .setGrouping(body.ranges() == null ? "tier" : "ranges")
        .setWaves(waves)
        .setWaveTimeoutMs(body.waveTimeout() == null ? null : body.waveTimeout().toMillis())
        .build());
    CommandResult result = commands.submitOrReject(Topics.WAVE_COMMANDS, id, command.build());
    WaveDeployment shown = shown(id, result.getVersion());
    return ResponseEntity.status(HttpStatus.CREATED).location(URI.create("/api/v1/deployments/waves/" + id)).body(WaveView.of(shown, scope));
  }

  /** A profile's version as each tenant gets it: a semantic version and a JSON object of at most 1 MB, checked here first. */
  private static io.hotswap.avro.ProfilePayload profile(Start body) {
    String document = body.document() == null || body.document().isNull() ? null : ConfigView.text(body.document());
    if (document == null || body.version() == null) {
      throw Rejection.badRequest("missing-document", "a profile's wave deployment needs its version and document (a JSON object)",
          body.version() == null ? "version" : "document");
    }
    io.hotswap.core.domain.ValueTypes.check(io.hotswap.avro.ValueType.JSON, document);
    io.hotswap.core.domain.Documents.requireObject(document);
    return io.hotswap.avro.ProfilePayload.newBuilder()
        .setService(io.hotswap.core.schema.ConfigSchemas.requireName(body.service(), "service"))
        .setEnvironment(body.environment())
        .setVersion(io.hotswap.core.domain.SemVer.parse(body.version(), "version").toString())
        .setDocument(document)
        .setSchemaId(body.schemaId())
        .build();
  }

  /** The waves of a start: the visible active tenants (or those named), grouped by tier or range, empty groups left out. */
  private List<Wave> waves(Start body) {
    // every tenant at once is a platform-wide change: the caller says so, it is never a default
    if ((body.tenants() == null) != Boolean.TRUE.equals(body.allTenants())) {
      throw Rejection.badRequest("choose-tenants", body.tenants() == null
          ? "name the tenants to deploy to (tenants), or allTenants: true for every active tenant you may see"
          : "tenants and allTenants exclude each other", "tenants");
    }
    List<Tenant> tenants = new ArrayList<>();
    try (KeyValueIterator<String, Tenant> it = router.<Tenant>globalStore(ReadTopology.TENANTS_STORE).all()) {
      it.forEachRemaining(kv -> {
        Tenant t = kv.value;
        if (t != null && t.getStatus() == TenantStatus.ACTIVE && scope.canSee(t.getTenantId())
            && (body.tenants() == null || body.tenants().contains(t.getTenantId()))) {
          tenants.add(t);
        }
      });
    }
    if (body.tenants() != null) {
      List<String> unknown = body.tenants().stream().filter(n -> tenants.stream().noneMatch(t -> t.getTenantId().equals(n))).toList();
      if (!unknown.isEmpty()) {
        throw Rejection.badRequest("unknown-tenants", "no active tenant with id " + unknown, "tenants");
      }
    }
    tenants.sort(Comparator.comparing(Tenant::getTenantId));
    List<Wave> waves = new ArrayList<>();
    if (body.ranges() == null) {
      for (Tier tier : TIER_ORDER) {
        add(waves, tier.name().toLowerCase(java.util.Locale.ROOT), tenants.stream().filter(t -> t.getTier() == tier).toList(), body);
      }
    } else {
      if (body.ranges().isEmpty() || body.ranges().stream().anyMatch(Objects::isNull)) {
        throw Rejection.badRequest("invalid-wave-deployment", "ranges must name at least one range of tenant ids", "ranges");
      }
      for (Range range : body.ranges()) {
        List<Tenant> in = tenants.stream().filter(t -> range.contains(t.getTenantId())).toList();
        for (Wave earlier : waves) {
          for (WaveTenant t : earlier.getTenants()) {
            if (range.contains(t.getTenantId())) {
              throw Rejection.badRequest("invalid-wave-deployment", "tenant '" + t.getTenantId() + "' is in ranges '" + earlier.getName()
                  + "' and '" + range.name() + "'", "ranges");
            }
          }
        }
        add(waves, range.name(), in, body);
      }
    }
    if (waves.isEmpty()) {
      throw Rejection.badRequest("no-tenants", "no active tenant you may deploy to is in any wave", "tenants");
    }
    return waves;
  }

  /** A wave of {@code tenants}, each marked for approval where its policy guards the environment. */
  private static void add(List<Wave> waves, String name, List<Tenant> tenants, Start body) {
    if (tenants.isEmpty()) {
      return;
    }
    List<WaveTenant> entries = new ArrayList<>();
    for (Tenant t : tenants) {
      boolean held = ApprovalPolicy.guarded(t).contains(body.environment());
      entries.add(WaveTenant.newBuilder()
          .setTenantId(t.getTenantId())
          .setApprovalLevels(held ? ApprovalPolicy.levels(t, body.environment()) : null)
          .setApprovalTimeoutMs(held ? t.getApprovalTimeoutMs() : null)
          .setStatus(WaveTenantStatus.WAITING)
          .build());
    }
    waves.add(Wave.newBuilder().setName(name).setTenants(entries).build());
  }

  @GetMapping
  List<WaveView> list(@RequestParam(required = false) String status) {
    List<WaveView> all = new ArrayList<>();
    try (KeyValueIterator<String, WaveDeployment> it = store().all()) {
      it.forEachRemaining(kv -> {
        if (kv.value != null && visible(kv.value) && (status == null || kv.value.getStatus().name().equalsIgnoreCase(status))) {
          all.add(WaveView.of(kv.value, scope));
        }
      });
    }
    all.sort(Comparator.comparing(WaveView::createdAt).reversed());
    return all;
  }

  @GetMapping("/{waveDeploymentId}")
  WaveView get(@PathVariable String waveDeploymentId) {
    return WaveView.of(visible(waveDeploymentId), scope);
  }

  @PostMapping("/{waveDeploymentId}/pause")
  WaveView pause(@PathVariable String waveDeploymentId, @RequestBody(required = false) DeploymentRequests.Reason body,
                 HttpServletRequest request) {
    return steer(waveDeploymentId, CommandType.WAVE_PAUSE, body, request);
  }

  @PostMapping("/{waveDeploymentId}/resume")
  WaveView resume(@PathVariable String waveDeploymentId, HttpServletRequest request) {
    return steer(waveDeploymentId, CommandType.WAVE_RESUME, null, request);
  }

  /** Rolls back every tenant's deployment the wave deployment started, and starts no more. */
  @PostMapping("/{waveDeploymentId}/rollback")
  WaveView rollback(@PathVariable String waveDeploymentId, @RequestBody(required = false) DeploymentRequests.Reason body,
                    HttpServletRequest request) {
    return steer(waveDeploymentId, CommandType.WAVE_ROLLBACK, body, request);
  }

  private WaveView steer(String waveDeploymentId, CommandType type, DeploymentRequests.Reason body, HttpServletRequest request) {
    WaveDeployment w = visible(waveDeploymentId);
    Command command = Commands.envelope(type, WaveMachine.ALL_TENANTS, request, scope.subject())
        .setWave(WavePayload.newBuilder().setWaveDeploymentId(w.getWaveDeploymentId()).setReason(body == null ? null : body.reason()).build())
        .build();
    CommandResult result = commands.submitOrReject(Topics.WAVE_COMMANDS, w.getWaveDeploymentId(), command);
    return WaveView.of(shown(w.getWaveDeploymentId(), result.getVersion()), scope);
  }

  /** The wave deployment once this gateway shows {@code revision} of it (read-your-writes, bounded). */
  private WaveDeployment shown(String id, Long revision) {
    long wanted = revision == null ? 1 : revision;
    return Waits.until(() -> store().get(id), w -> w != null && w.getRevision() >= wanted, readYourWritesWait,
        () -> "wave deployment " + id + " is started but not readable yet; retry shortly");
  }

  private WaveDeployment visible(String id) {
    WaveDeployment w = id == null ? null : store().get(id);
    if (w == null || !visible(w)) {
      throw Rejection.notFound("wave-deployment-not-found", "No wave deployment with id '" + io.hotswap.core.domain.Texts.abbreviate(id) + "'",
          "waveDeploymentId");
    }
    return w;
  }

  /** A tenant-scoped caller sees the wave deployments that reach one of its tenants (and only those tenants in them). */
  private boolean visible(WaveDeployment w) {
    return w.getWaves().stream().flatMap(wave -> wave.getTenants().stream()).anyMatch(t -> scope.canSee(t.getTenantId()));
  }

  private ReadOnlyKeyValueStore<String, WaveDeployment> store() {
    return router.globalStore(ReadTopology.WAVES_STORE);
  }

  /** What a wave deployment looks like to its callers. */
  @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
  record WaveView(String waveDeploymentId, String environment, String key, String value, String service, String version, String strategy,
                  String grouping, String status,
                  int currentWave, List<WaveStage> waves, String reason, long revision, java.time.Instant createdAt, String createdBy,
                  java.time.Instant updatedAt, String updatedBy) {

    /** One wave: where it stands (waiting, running, passed, failed, rolled_back) and its tenants' deployments. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record WaveStage(String name, String status, java.time.Instant startedAt, java.time.Instant passedAt, List<TenantDeployment> tenants) {}

    /** One tenant's deployment in a wave. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record TenantDeployment(String tenantId, String deploymentId, String status, String approvalId, String detail) {}

    static WaveView of(WaveDeployment w, TenantScope scope) {
      List<WaveStage> stages = new ArrayList<>();
      for (int i = 0; i < w.getWaves().size(); i++) {
        Wave wave = w.getWaves().get(i);
        List<TenantDeployment> tenants = wave.getTenants().stream().filter(t -> scope.canSee(t.getTenantId()))
            .map(t -> new TenantDeployment(t.getTenantId(), StoreKeys.deploymentId(t.getTenantId(), w.getWaveDeploymentId()),
                lower(t.getStatus()), t.getApprovalId(), t.getDetail()))
            .toList();
        stages.add(new WaveStage(wave.getName(), stage(w, i), wave.getStartedAt(), wave.getPassedAt(), tenants));
      }
      return new WaveView(w.getWaveDeploymentId(), w.getEnvironment(), w.getKey(), w.getValue(),
          w.getProfile() == null ? null : w.getProfile().getService(), w.getProfile() == null ? null : w.getProfile().getVersion(),
          lower(w.getPlan().getStrategy()),
          w.getGrouping(), lower(w.getStatus()), w.getWaveIndex() + 1, stages, w.getReason(), w.getRevision(), w.getCreatedAt(),
          w.getCreatedBy(), w.getUpdatedAt(), w.getUpdatedBy());
    }

    private static String stage(WaveDeployment w, int i) {
      Wave wave = w.getWaves().get(i);
      if (wave.getPassedAt() != null) {
        return "passed";
      }
      if (i > w.getWaveIndex() || wave.getStartedAt() == null) {
        return "waiting";
      }
      return switch (w.getStatus()) {
        case FAILED -> "failed";
        case ROLLED_BACK -> "rolled_back";
        default -> "running";
      };
    }

    private static String lower(Enum<?> e) {
      return e == null ? null : e.name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
