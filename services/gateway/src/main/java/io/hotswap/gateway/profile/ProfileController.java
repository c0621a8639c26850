package io.hotswap.gateway.profile;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.ConfigProfile;
import io.hotswap.avro.DeploymentPayload;
import io.hotswap.avro.DeploymentStrategy;
import io.hotswap.avro.ProfilePayload;
import io.hotswap.core.domain.Environments;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.SemVer;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.domain.TenantIds;
import io.hotswap.core.json.Json;
import io.hotswap.core.json.JsonDiff;
import io.hotswap.core.schema.ConfigSchemas;
import io.hotswap.gateway.pipeline.Writes;
import io.hotswap.gateway.pipeline.Commands;
import io.hotswap.gateway.reads.ForwardRequest;
import io.hotswap.gateway.reads.Page;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.reads.Waits;
import io.hotswap.gateway.security.TenantScope;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * Config profiles: a whole JSON document per service and environment, under {@code
 * /api/v1/profiles} beside the key/value API ({@code /api/v1/configs}), with semantic versions,
 * tags, diff and rollback. The id is {@code tenant:service.environment}, e.g. {@code
 * acme:payment-service.production}. Reads come from the owner's store like configuration reads.
 */
@RestController
@RequestMapping("/api/v1/profiles")
class ProfileController {

  private final Writes writes;
  private final StoreRouter router;
  private final TenantScope scope;
  private final Duration readYourWritesWait;

  ProfileController(Writes writes, StoreRouter router, TenantScope scope, Duration readYourWritesWait) {
    this.writes = writes;
    this.router = router;
    this.scope = scope;
    this.readYourWritesWait = readYourWritesWait;
  }

  /**
   * {@code POST /api/v1/profiles}: a new version of the profile of {@code service} in
   * {@code environment}. Its {@code strategy} decides how it goes live: {@code direct} (the
   * default) for everyone at once; {@code canary}, {@code blue-green}, {@code rolling} or
   * {@code ab-test} as a deployment from the current version, with the same plan fields as
   * {@code POST /api/v1/deployments} (steps, bake time, targets, thresholds).
   */
  record CreateProfile(String tenantId, String service, String environment, String version, JsonNode document, String schemaId,
                       String strategy, String description, List<String> tags, List<Integer> steps, java.time.Duration bakeTime,
                       String stickyBy, List<String> targetInstances, List<String> targetTags, Double maxErrorRate,
                       Double maxP99LatencyMs, Boolean instanceHealth) {}

  /** {@code PUT .../versions/{version}/tags}: the version's tags, replaced. */
  record TagRequest(List<String> tags) {}

  /** {@code POST .../rollback}: the version whose document comes back, and optionally the new version's number (default: next patch). */
  record RollbackRequest(String version, String newVersion) {}

  @PostMapping
  ResponseEntity<?> create(@RequestBody CreateProfile body, HttpServletRequest request, HttpServletResponse response) {
    if (body == null) {
      throw Rejection.badRequest("missing-body", "a JSON body is required", null);
    }
    String tenantId = scope.visibleTenant(TenantIds.require(body.tenantId()));
    String service = ConfigSchemas.requireName(body.service(), "service");
    String env = Environments.require(body.environment());
    SemVer version = SemVer.parse(body.version(), "version");
    String schemaId = body.schemaId() == null ? null : ConfigSchemas.requireName(body.schemaId(), "schemaId");
    // a version that names no strategy goes live by the tenant's default for its environment (direct where there is none)
    io.hotswap.avro.Tenant tenant = router.<io.hotswap.avro.Tenant>globalStore(ReadTopology.TENANTS_STORE).get(tenantId);
    String strategy = body.strategy() != null ? body.strategy() : tenant == null ? null : tenant.getDefaultStrategies().get(env);
    Command command = Commands.envelope(CommandType.PROFILE_CREATE, tenantId, request, scope.subject())
        .setProfile(ProfilePayload.newBuilder()
            .setService(service).setEnvironment(env).setVersion(version.toString()).setDocument(document(body.document()))
            .setSchemaId(schemaId).setStrategy(strategy).setDescription(body.description()).setTags(body.tags())
            .build())
        .build();
    String profileId = StoreKeys.profileId(tenantId, service, env);
    // a first version has nothing to roll out from: it goes live at once whatever its strategy
    DeploymentPayload plan = plan(strategy, body, command.getCommandId());
    if (plan != null && !exists(profileId, request)) {
      plan = null;
    }
    command.setDeployment(plan);
    CommandResult result = writes.submit(command);
    String deploymentId = plan == null ? null : StoreKeys.deploymentId(tenantId, plan.getDeploymentId());
    if (Writes.isHeld(result)) {
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("profileId", profileId);
      fields.put("version", version.toString());
      if (deploymentId != null) {
        fields.put("deploymentId", deploymentId);
      }
      return writes.held(result, fields);
    }
    ResponseEntity<?> answer = readBack(profileId, version, result, HttpStatus.CREATED);
    if (deploymentId == null || !answer.getStatusCode().is2xxSuccessful()) {
      return answer;
    }
    // the version rolls out as a deployment (from the current version; a first version goes live at once)
    return ResponseEntity.status(answer.getStatusCode()).headers(answer.getHeaders())
        .header("Link", "</api/v1/deployments/" + deploymentId + ">; rel=\"deployment\"").body(answer.getBody());
  }

  /** Whether the profile has a version, as its owner serves it. */
  private boolean exists(String profileId, HttpServletRequest request) {
    StoreKeys.ProfileId id = StoreKeys.parseProfileId(profileId);
    return router.route(id.tenantId(), new io.hotswap.gateway.reads.ForwardRequest(request, "GET", "/api/v1/profiles/" + profileId, null),
        partition -> ProfileQueries.latest(store(partition), id) == null ? ResponseEntity.notFound().build() : ResponseEntity.ok().build())
        .getStatusCode().is2xxSuccessful();
  }

  /**
   * The deployment a profile version goes live by, for a strategy other than {@code direct}; null
   * for direct. A bad plan is a 400 here, before anything is sent.
   */
  private static DeploymentPayload plan(String strategyName, CreateProfile body, String commandId) {
    if (strategyName == null || strategyName.equalsIgnoreCase("direct")) {
      return null;
    }
    DeploymentStrategy strategy = io.hotswap.core.domain.Texts.parse(DeploymentStrategy.class, strategyName.replace('-', '_'), "strategy");
    if (strategy == null || strategy == DeploymentStrategy.UNKNOWN) {
      return null; // validation names the strategies a profile may have
    }
    DeploymentPayload plan = io.hotswap.gateway.deployment.DeploymentRequests.plan(strategy, body.steps(), body.bakeTime(), body.stickyBy(),
            body.targetInstances(), body.targetTags(), body.maxErrorRate(), body.maxP99LatencyMs(), body.instanceHealth())
        .setDeploymentId(io.hotswap.gateway.deployment.DeploymentRequests.deploymentId(commandId))
        .build();
    return io.hotswap.core.deploy.DeploymentMachine.plan(plan);
  }

  @GetMapping("/tenant/{tenantId}")
  ResponseEntity<?> list(@PathVariable String tenantId, @RequestParam(required = false) String environment,
                         @RequestParam(required = false) String service, @RequestParam(defaultValue = "0") int page,
                         @RequestParam(defaultValue = "50") int size, HttpServletRequest request, HttpServletResponse response) {
    scope.visibleTenant(TenantIds.require(tenantId));
    Page.check(page, size);
    String env = environment == null ? null : Environments.require(environment);
    return router.route(tenantId, request, partition -> ResponseEntity.ok(
        Page.of(ProfileQueries.current(store(partition), tenantId, env, service).stream().map(ProfileView::of).toList(), page, size)));
  }

  @GetMapping("/{profileId}")
  ResponseEntity<?> current(@PathVariable String profileId, HttpServletRequest request, HttpServletResponse response) {
    StoreKeys.ProfileId id = visible(profileId);
    return router.route(id.tenantId(), request, partition -> {
      List<ConfigProfile> versions = versions(store(partition), id);
      ConfigProfile latest = versions.get(versions.size() - 1);
      return ResponseEntity.ok().eTag(latest.getVersion()).body(ProfileView.of(latest));
    });
  }

  @GetMapping("/{profileId}/versions")
  ResponseEntity<?> versions(@PathVariable String profileId, @RequestParam(defaultValue = "0") int page,
                             @RequestParam(defaultValue = "50") int size, HttpServletRequest request, HttpServletResponse response) {
    StoreKeys.ProfileId id = visible(profileId);
    Page.check(page, size);
    return router.route(id.tenantId(), request, partition ->
        ResponseEntity.ok(Page.of(versions(store(partition), id).stream().map(ProfileView::of).toList(), page, size)));
  }

  /** One version; {@code minUpdate} (epoch ms) makes the read wait, bounded, until a write that just applied is visible. */
  @GetMapping("/{profileId}/versions/{version}")
  ResponseEntity<?> version(@PathVariable String profileId, @PathVariable String version, @RequestParam(required = false) Long minUpdate,
                            HttpServletRequest request, HttpServletResponse response) {
    StoreKeys.ProfileId id = visible(profileId);
    SemVer v = SemVer.parse(version, "version");
    return router.route(id.tenantId(), request, partition -> {
      ReadOnlyKeyValueStore<String, ConfigProfile> store = store(partition);
      String key = StoreKeys.profileVersion(id.tenantId(), id.service(), id.environment(), v);
      ConfigProfile p = minUpdate == null ? store.get(key)
          : Waits.until(() -> store.get(key), e -> e != null && e.getUpdatedAt().toEpochMilli() >= minUpdate, readYourWritesWait,
              () -> "version " + v + " of profile '" + id.id() + "' is applied but not readable yet; retry shortly");
      if (p == null) {
        throw Rejection.notFound("version-not-found", "profile '" + id.id() + "' has no version " + v, "version");
      }
      return ResponseEntity.ok().eTag(p.getVersion()).body(ProfileView.of(p));
    });
  }

  @PutMapping("/{profileId}/versions/{version}/tags")
  ResponseEntity<?> tag(@PathVariable String profileId, @PathVariable String version, @RequestBody TagRequest body,
                        HttpServletRequest request, HttpServletResponse response) {
    StoreKeys.ProfileId id = visible(profileId);
    SemVer v = SemVer.parse(version, "version");
    if (body == null || body.tags() == null) {
      throw Rejection.badRequest("missing-tags", "tags are required, e.g. {\"tags\": [\"stable\"]}", "tags");
    }
    Command command = Commands.envelope(CommandType.PROFILE_TAG, id.tenantId(), request, scope.subject())
        .setProfile(ProfilePayload.newBuilder().setService(id.service()).setEnvironment(id.environment()).setVersion(v.toString())
            .setTags(body.tags()).build())
        .build();
    CommandResult result = writes.submit(command);
    return readBack(id.id(), v, result, HttpStatus.OK);
  }

  /** Structural diff of two versions' documents, each change with its JSON Pointer. */
  @GetMapping("/{profileId}/diff")
  ResponseEntity<?> diff(@PathVariable String profileId, @RequestParam String from, @RequestParam String to, HttpServletRequest request,
                         HttpServletResponse response) {
    StoreKeys.ProfileId id = visible(profileId);
    SemVer a = SemVer.parse(from, "from");
    SemVer b = SemVer.parse(to, "to");
    return router.route(id.tenantId(), request, partition -> {
      ConfigProfile pa = existing(store(partition), id, a, "from");
      ConfigProfile pb = existing(store(partition), id, b, "to");
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("profileId", id.id());
      body.put("from", a.toString());
      body.put("to", b.toString());
      body.put("changes", JsonDiff.diff(Json.MAPPER.readTree(pa.getDocument()), Json.MAPPER.readTree(pb.getDocument())).stream()
          .map(c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("op", c.op().name().toLowerCase(java.util.Locale.ROOT));
            m.put("path", c.path());
            m.put("oldValue", c.oldValue());
            m.put("newValue", c.newValue());
            return m;
          }).toList());
      return ResponseEntity.ok(body);
    });
  }

  /**
   * A new version holding an older version's document (history is never rewritten), audited as
   * PROFILE_ROLLED_BACK. Runs on the instance owning the tenant: the targets travel in the query.
   */
  @PostMapping("/{profileId}/rollback")
  ResponseEntity<?> rollback(@PathVariable String profileId, @RequestBody(required = false) RollbackRequest body,
                             @RequestParam(required = false) String version, @RequestParam(required = false) String newVersion,
                             HttpServletRequest request, HttpServletResponse response) {
    StoreKeys.ProfileId id = visible(profileId);
    String targetText = version != null ? version : body == null ? null : body.version();
    if (targetText == null) {
      throw Rejection.badRequest("missing-version", "the version to roll back to is required: {\"version\": \"1.0.0\"}", "version");
    }
    SemVer target = SemVer.parse(targetText, "version");
    String nextText = newVersion != null ? newVersion : body == null ? null : body.newVersion();
    SemVer requestedNext = nextText == null ? null : SemVer.parse(nextText, "newVersion");
    String actor = scope.subject();
    String query = "version=" + target + (requestedNext == null ? "" : "&newVersion=" + requestedNext);
    return router.route(id.tenantId(), new ForwardRequest(request, "POST", request.getRequestURI(), query), partition -> {
      ReadOnlyKeyValueStore<String, ConfigProfile> store = store(partition);
      ConfigProfile old = existing(store, id, target, "version");
      List<ConfigProfile> all = versions(store, id);
      ConfigProfile latest = all.get(all.size() - 1);
      SemVer next = requestedNext != null ? requestedNext : SemVer.parse(latest.getVersion(), "version").nextPatch();
      Command command = Commands.envelope(CommandType.PROFILE_CREATE, id.tenantId(), request, actor)
          .setProfile(ProfilePayload.newBuilder()
              .setService(id.service()).setEnvironment(id.environment()).setVersion(next.toString()).setDocument(old.getDocument())
              .setSchemaId(old.getSchemaId()).setStrategy(old.getStrategy()).setDescription(old.getDescription())
              .setRolledBackFrom(old.getVersion())
              .build())
          .build();
      CommandResult result = writes.submit(command);
      if (Writes.isHeld(result)) {
        return writes.held(result, Map.of("profileId", id.id(), "version", next.toString(), "rolledBackTo", old.getVersion(),
            "previousVersion", latest.getVersion()));
      }
      String key = StoreKeys.profileVersion(id.tenantId(), id.service(), id.environment(), next);
      ConfigProfile created = Waits.until(() -> store.get(key), java.util.Objects::nonNull, readYourWritesWait,
          () -> "version " + next + " of profile '" + id.id() + "' is applied but not readable yet; retry shortly");
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("rolledBackTo", old.getVersion());
      answer.put("previousVersion", latest.getVersion());
      answer.put("profile", ProfileView.of(created));
      return ResponseEntity.status(result.getStatus()).eTag(created.getVersion())
          .location(URI.create("/api/v1/profiles/" + id.id() + "/versions/" + next)).body(answer);
    });
  }

  private ResponseEntity<?> readBack(String profileId, SemVer version, CommandResult result, HttpStatus status) {
    StoreKeys.ProfileId id = StoreKeys.parseProfileId(profileId);
    String uri = "/api/v1/profiles/" + profileId + "/versions/" + version;
    return writes.answer(status, version.toString(), new Writes.Shown(id.tenantId(), uri, "minUpdate=" + result.getDecidedAt().toEpochMilli(),
        partition -> {
          String key = StoreKeys.profileVersion(id.tenantId(), id.service(), id.environment(), version);
          ReadOnlyKeyValueStore<String, ConfigProfile> store = store(partition);
          ConfigProfile p = Waits.until(() -> store.get(key),
              e -> e != null && !e.getUpdatedAt().isBefore(result.getDecidedAt()), readYourWritesWait,
              () -> "version " + version + " of profile '" + profileId + "' is applied but not readable yet; retry shortly");
          return ResponseEntity.ok(ProfileView.of(p));
        }));
  }

  private ReadOnlyKeyValueStore<String, ConfigProfile> store(int partition) {
    return router.localStore(ReadTopology.PROFILES_STORE, partition);
  }

  /** A profile's versions, oldest first; 404 when there is no such profile. */
  private static List<ConfigProfile> versions(ReadOnlyKeyValueStore<String, ConfigProfile> store, StoreKeys.ProfileId id) {
    List<ConfigProfile> out = ProfileQueries.versions(store, id);
    if (out.isEmpty()) {
      throw Rejection.notFound("profile-not-found", "No profile with id '" + id.id() + "'", "profileId");
    }
    return out;
  }

  private static ConfigProfile existing(ReadOnlyKeyValueStore<String, ConfigProfile> store, StoreKeys.ProfileId id, SemVer v, String field) {
    ConfigProfile p = store.get(StoreKeys.profileVersion(id.tenantId(), id.service(), id.environment(), v));
    if (p == null) {
      throw Rejection.notFound("version-not-found", "profile '" + id.id() + "' has no version " + v, field);
    }
    return p;
  }

  private StoreKeys.ProfileId visible(String profileId) {
    StoreKeys.ProfileId id = StoreKeys.parseProfileId(profileId);
    scope.require(id.tenantId(), Rejection.notFound("profile-not-found", "No profile with id '" + profileId + "'", "profileId"));
    return id;
  }

  /** The document as compact JSON text: an object, or a string holding one. */
  private static String document(JsonNode document) {
    return Json.MAPPER.writeValueAsString(io.hotswap.core.domain.Documents.requireObject(document));
  }
}
