package io.hotswap.gateway.plugin;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.PluginPayload;
import io.hotswap.avro.PluginVersion;
import io.hotswap.core.deploy.WaveMachine;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.SemVer;
import io.hotswap.core.plugin.PluginVersions;
import io.hotswap.gateway.pipeline.Commands;
import io.hotswap.gateway.pipeline.Writes;
import io.hotswap.gateway.reads.Waits;
import io.hotswap.gateway.security.TenantScope;
import io.hotswap.plugin.api.PluginApi;
import io.hotswap.plugin.host.CheckedBinary;
import io.hotswap.plugin.host.Dependency;
import io.hotswap.plugin.host.PluginBinary;
import io.hotswap.plugin.host.PluginManifest;
import io.hotswap.plugin.host.PluginRejected;
import io.hotswap.plugin.host.PluginSignatures;
import io.hotswap.plugin.host.TrustPolicy;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * The plugin registry: signed plugin binaries (a jar whose manifest says what it is) registered
 * once for the whole platform, each version checked before anything is stored — manifest, entry
 * point, API version, checksum, the publisher's Ed25519 signature, a version newer than the last,
 * dependencies resolvable among the registered versions — then stored in object storage and
 * recorded through the pipeline like any change (validated, applied by rollout, audited).
 */
@RestController
@RequestMapping("/api/v1/plugins")
class PluginController {

  private final Writes writes;
  private final io.hotswap.gateway.reads.StoreRouter router;
  private final PluginRegistry registry;
  private final PluginBinaries binaries;
  private final PluginProperties properties;
  private final PluginTrust trust;
  private final TenantScope scope;
  private final Duration readYourWritesWait;
  private final PluginHolders holders;

  PluginController(Writes writes, PluginRegistry registry, PluginBinaries binaries, PluginProperties properties, PluginTrust trust,
                   TenantScope scope, Duration readYourWritesWait, io.hotswap.gateway.reads.StoreRouter router, PluginHolders holders) {
    this.holders = holders;
    this.router = router;
    this.writes = writes;
    this.registry = registry;
    this.binaries = binaries;
    this.properties = properties;
    this.trust = trust;
    this.scope = scope;
    this.readYourWritesWait = readYourWritesWait;
  }

  /**
   * {@code POST /api/v1/plugins} (multipart): {@code binary} (the jar), {@code signature} (Base64 of
   * the publisher's Ed25519 signature over it, as {@code ./hotswap plugin sign} writes it; absent for
   * an unsigned binary), an optional {@code description}, and {@code tenantId} to register the
   * plugin as that tenant's own: only it sees and runs it, and the signature is judged by the
   * platform's publishers and the tenant's ({@code /tenants/{tenantId}/plugin-trust}), unsigned
   * binaries only where the tenant allows them. Tenant-scoped tokens register for their tenants only.
   */
  @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  ResponseEntity<PluginView> register(@RequestPart("binary") MultipartFile binary,
                                      @RequestParam(name = "signature", required = false) String signature,
                                      @RequestParam(name = "description", required = false) String description,
                                      @RequestParam(name = "tenantId", required = false) String tenantId,
                                      HttpServletRequest request) {
    requireStorage();
    io.hotswap.avro.Tenant owner = owner(tenantId);
    byte[] bytes = bytes(binary);
    String sha256 = PluginSignatures.sha256(bytes);
    CheckedBinary checked = check(new PluginBinary(bytes, sha256, signature(signature)), owner == null ? trust.platform() : trust.of(owner));
    PluginManifest manifest = checked.manifest();
    String publisher = checked.publisher();
    String version = SemVer.parse(manifest.version(), "version").toString();
    // what the registry decides (newer than the last, dependencies resolvable) is checked here for a
    // clear answer before anything is stored, and judged again by rollout, which owns the registry
    String ownerId = owner == null ? null : owner.getTenantId();
    PluginVersions.requireSameOwner(manifest.id(), ownerId, registry.versions(manifest.id()));
    PluginVersions.requireNewer(manifest.id(), version, registry.versions(manifest.id()));
    PluginVersions.resolve(manifest, PluginVersions.dependableBy(ownerId, registry.everyVersion()));
    String configSchema = configSchema(checked);
    String objectKey = PluginBinaries.objectKey(manifest.id(), version, sha256);
    binaries.put(objectKey, bytes);
    Command command = Commands.envelope(CommandType.PLUGIN_REGISTER, WaveMachine.ALL_TENANTS, request, scope.subject())
        .setPlugin(PluginPayload.newBuilder()
            .setPluginId(manifest.id()).setVersion(version).setType(manifest.type()).setEntryPoint(manifest.entryPoint())
            .setApiVersion(manifest.apiVersion()).setDependencies(manifest.dependencies().stream().map(Dependency::toString).toList())
            .setSha256(sha256).setSize((long) bytes.length).setSignature(signature == null || signature.isBlank() ? null : signature.strip())
            .setPublisher(publisher).setObjectKey(objectKey).setDescription(description).setConfigSchema(configSchema)
            .setTenantId(ownerId)
            .build())
        .build();
    writes.submit(command);
    PluginVersion created = await(manifest.id(), version, v -> v != null);
    return ResponseEntity.created(URI.create("/api/v1/plugins/" + manifest.id() + "/versions/" + version)).body(PluginView.of(created));
  }

  @GetMapping
  List<PluginView.Plugin> list() {
    return registry.all().values().stream().filter(versions -> visible(versions.getFirst())).map(PluginView.Plugin::of).toList();
  }

  @GetMapping("/{pluginId}")
  PluginView.Plugin get(@PathVariable String pluginId) {
    return PluginView.Plugin.of(existing(pluginId));
  }

  @GetMapping("/{pluginId}/versions")
  List<PluginView> versions(@PathVariable String pluginId) {
    return existing(pluginId).stream().map(PluginView::of).toList();
  }

  @GetMapping("/{pluginId}/versions/{version}")
  PluginView version(@PathVariable String pluginId, @PathVariable String version) {
    return PluginView.of(existing(pluginId, version));
  }

  /**
   * The binary, exactly as registered: checked against its registered checksum on the way out, so
   * a binary changed in object storage is never served. Hosts check checksum and signature again
   * before loading it.
   */
  @GetMapping("/{pluginId}/versions/{version}/binary")
  ResponseEntity<byte[]> binary(@PathVariable String pluginId, @PathVariable String version) {
    requireStorage();
    PluginVersion v = existing(pluginId, version);
    byte[] bytes = binaries.get(v);
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.parseMediaType("application/java-archive"));
    headers.setContentDisposition(org.springframework.http.ContentDisposition.attachment()
        .filename(pluginId + "-" + v.getVersion() + ".jar").build());
    headers.set("X-HotSwap-Plugin-SHA256", v.getSha256());
    headers.set("X-HotSwap-Plugin-Publisher", v.getPublisher());
    if (v.getSignature() != null) {
      headers.set("X-HotSwap-Plugin-Signature", v.getSignature());
    }
    return ResponseEntity.ok().headers(headers).body(bytes);
  }

  record Deprecate(String reason) {}

  /**
   * Marks a version deprecated: it stays downloadable for those who run it; dependencies and new
   * assignments no longer resolve to it. Every tenant and environment running it is told, in its
   * own audit trail and by notification. A tenant deprecates its own plugins only.
   */
  @PostMapping("/{pluginId}/versions/{version}/deprecate")
  PluginView deprecate(@PathVariable String pluginId, @PathVariable String version, @RequestBody(required = false) Deprecate body,
                       HttpServletRequest request) {
    PluginVersion v = existing(pluginId, version);
    if (v.getTenantId() == null && scope.allowedTenants() != null) {
      throw new Rejection(403, "forbidden", "plugin '" + pluginId + "' is the platform's; a tenant-scoped token deprecates its tenants' own plugins only",
          "pluginId");
    }
    String reason = body == null || body.reason() == null || body.reason().isBlank() ? "deprecated" : body.reason().strip();
    writes.submit(Commands.envelope(CommandType.PLUGIN_DEPRECATE, WaveMachine.ALL_TENANTS, request, scope.subject())
        .setPlugin(PluginPayload.newBuilder().setPluginId(pluginId).setVersion(v.getVersion()).setReason(reason)
            .setRunningIn(holders.runningIn(pluginId, v.getVersion())).build())
        .build());
    return PluginView.of(await(pluginId, v.getVersion(), p -> p != null && p.getDeprecated()));
  }

  /** The versions a plugin version (its newest, or {@code version}) runs with: its dependencies, resolved, dependencies first. */
  @GetMapping("/{pluginId}/dependencies")
  Map<String, Object> dependencies(@PathVariable String pluginId, @RequestParam(required = false) String version) {
    PluginVersion v = version == null ? PluginVersions.newest(existing(pluginId)) : existing(pluginId, version);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("plugin", PluginVersions.coordinates(pluginId, v.getVersion()));
    answer.put("declared", v.getDependencies());
    answer.putAll(resolution(PluginVersions.manifest(v), v.getTenantId()));
    return answer;
  }

  /**
   * How the plugin runs out there, from the instance registry: every instance that holds a tenant's
   * assignment of it — the assignment version and arm it applied, and whether it runs (an instance
   * that could not install or start it, or whose liveness checks failed, reports what went wrong).
   * Tenant-scoped callers see their tenants only.
   */
  @GetMapping("/{pluginId}/health")
  Map<String, Object> health(@PathVariable String pluginId) {
    existing(pluginId);
    List<Map<String, Object>> hosts = new ArrayList<>();
    for (Host h : hosts(pluginId)) {
      Map<String, Object> host = new LinkedHashMap<>();
      host.put("tenantId", h.tenantId());
      host.put("instanceId", h.state().getInstance().getInstanceId());
      host.put("service", h.state().getInstance().getService());
      host.put("instanceStatus", h.state().getStatus().name().toLowerCase(java.util.Locale.ROOT));
      host.put("assignmentVersion", h.applied().getVersion());
      host.put("arm", h.arm());
      host.put("healthy", h.applied().getApplyError() == null);
      host.put("error", h.applied().getApplyError());
      host.put("since", h.applied().getAppliedAt());
      hosts.add(host);
    }
    long failing = hosts.stream().filter(h -> !(Boolean) h.get("healthy")).count();
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("pluginId", pluginId);
    answer.put("status", hosts.isEmpty() ? "not_running" : failing == 0 ? "healthy" : failing == hosts.size() ? "failing" : "degraded");
    answer.put("instances", hosts.size());
    answer.put("failing", failing);
    answer.put("hosts", hosts);
    return answer;
  }

  /**
   * The request health of the instances that run the plugin, from their last health reports (plugin
   * calls count as requests there unless a service turned that off), by arm: {@code stable}, and
   * {@code candidate} while a plugin deployment runs — what its error-rate and p99 thresholds judge.
   */
  @GetMapping("/{pluginId}/metrics")
  Map<String, Object> metrics(@PathVariable String pluginId) {
    List<PluginVersion> versions = existing(pluginId);
    Map<String, Map<String, Object>> byArm = new java.util.TreeMap<>();
    java.util.Set<String> counted = new java.util.HashSet<>();
    for (Host h : hosts(pluginId)) {
      Map<String, Object> arm = byArm.computeIfAbsent(h.arm(), a -> new LinkedHashMap<>(Map.of("instances", 0, "requests", 0L, "errors", 0L)));
      String instance = h.state().getInstance().getInstanceId();
      if (!counted.add(h.arm() + "|" + instance)) {
        continue; // an instance running the plugin for several tenants reports its requests once
      }
      arm.put("instances", (Integer) arm.get("instances") + 1);
      arm.put("requests", (Long) arm.get("requests") + h.state().getRequests());
      arm.put("errors", (Long) arm.get("errors") + h.state().getErrors());
      Double p99 = h.state().getP99Ms();
      if (p99 != null && (arm.get("p99Ms") == null || p99 > (Double) arm.get("p99Ms"))) {
        arm.put("p99Ms", p99);
      }
    }
    byArm.values().forEach(a -> a.put("errorRate", (Long) a.get("requests") == 0 ? 0.0 : (double) (Long) a.get("errors") / (Long) a.get("requests")));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("pluginId", pluginId);
    answer.put("versions", versions.size());
    answer.put("deprecatedVersions", versions.stream().filter(PluginVersion::getDeprecated).count());
    answer.put("byArm", byArm);
    return answer;
  }

  /** One instance holding one tenant's assignment of a plugin, as the instance registry knows it. */
  private record Host(String tenantId, io.hotswap.avro.InstanceState state, io.hotswap.avro.AppliedVersion applied) {
    String arm() {
      return applied.getArm() == null ? "stable" : applied.getArm();
    }
  }

  /** Every instance holding a (visible) tenant's assignment of the plugin. */
  private List<Host> hosts(String pluginId) {
    String suffix = "|" + io.hotswap.protocol.PluginAssignment.key(pluginId);
    List<Host> hosts = new ArrayList<>();
    try (org.apache.kafka.streams.state.KeyValueIterator<String, io.hotswap.avro.InstanceState> it =
             router.<io.hotswap.avro.InstanceState>globalStore(io.hotswap.gateway.reads.ReadTopology.INSTANCES_STORE).all()) {
      it.forEachRemaining(kv -> {
        if (kv.value == null) {
          return;
        }
        kv.value.getApplied().forEach((liveKey, applied) -> {
          if (liveKey.endsWith(suffix) && applied.getVersion() != null) {
            String tenant = liveKey.substring(0, liveKey.length() - suffix.length());
            if (scope.canSee(tenant)) {
              hosts.add(new Host(tenant, kv.value, applied));
            }
          }
        });
      });
    }
    return hosts;
  }

  record Candidate(String version, List<String> dependencies) {}

  /**
   * Would these dependencies resolve now? For a version about to be built ({@code dependencies} as
   * {@code id@range}) or, with no body, for the plugin's newest version. Nothing is stored.
   */
  @PostMapping("/{pluginId}/validate-dependencies")
  Map<String, Object> validateDependencies(@PathVariable String pluginId, @RequestBody(required = false) Candidate body) {
    PluginVersions.requireId(pluginId, "pluginId");
    PluginManifest manifest;
    List<PluginVersion> registered = registry.versions(pluginId);
    // a new plugin is judged as the caller's: a tenant-scoped caller's among its tenants' and the platform's
    Set<String> allowed = scope.allowedTenants();
    String owner = !registered.isEmpty() ? registered.getFirst().getTenantId() : allowed != null && allowed.size() == 1 ? allowed.iterator().next() : null;
    if (body == null || body.dependencies() == null) {
      manifest = PluginVersions.manifest(PluginVersions.newest(existing(pluginId)));
    } else {
      String version = body.version() == null ? "0.0.0" : SemVer.parse(body.version(), "version").toString();
      manifest = new PluginManifest(pluginId, version, "extension", "candidate", PluginApi.VERSION,
          body.dependencies().stream().map(PluginVersions::dependency).toList());
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("plugin", manifest.coordinates());
    answer.putAll(resolution(manifest, owner));
    return answer;
  }

  /** How a manifest's dependencies resolve among what its owner (null: the platform) may depend on. */
  private Map<String, Object> resolution(PluginManifest manifest, String owner) {
    Map<String, Object> answer = new LinkedHashMap<>();
    try {
      List<PluginManifest> order = PluginVersions.resolve(manifest, PluginVersions.dependableBy(owner, registry.everyVersion()));
      answer.put("resolvable", true);
      answer.put("resolved", order.subList(0, order.size() - 1).stream().map(PluginManifest::coordinates).toList());
    } catch (Rejection r) {
      answer.put("resolvable", false);
      answer.put("problem", r.type());
      answer.put("detail", r.getMessage());
    }
    return answer;
  }

  /**
   * The checks a host makes before loading anything ({@link CheckedBinary}), as problem details: a
   * manifest's problems each listed in {@code errors}.
   */
  private static CheckedBinary check(PluginBinary binary, TrustPolicy trust) {
    try {
      return CheckedBinary.check(binary, trust);
    } catch (PluginRejected e) {
      String field = e.reason() == PluginRejected.Reason.BAD_MANIFEST || e.reason() == PluginRejected.Reason.UNSUPPORTED_API
          ? "binary" : "signature";
      Rejection r = Rejection.badRequest(e.reason().code(), "the plugin cannot be registered: " + e.getMessage(), field);
      throw e.reason() == PluginRejected.Reason.BAD_MANIFEST ? r.withErrors(List.of(e.getMessage().split("; "))) : r;
    }
  }

  /** The JSON Schema of tenants' settings the jar ships ({@link PluginVersions#CONFIG_SCHEMA_ENTRY}), checked; null when none. */
  private static String configSchema(CheckedBinary jar) {
    byte[] schema = jar.entry(PluginVersions.CONFIG_SCHEMA_ENTRY);
    if (schema == null) {
      return null;
    }
    String text = new String(schema, java.nio.charset.StandardCharsets.UTF_8);
    try {
      io.hotswap.core.schema.ConfigSchemas.requireValidSchema(io.hotswap.core.schema.ConfigSchemas.parseSchema(text));
    } catch (Rejection r) {
      throw Rejection.badRequest("bad-manifest", "the plugin's " + PluginVersions.CONFIG_SCHEMA_ENTRY + " is not a valid JSON Schema: "
          + r.getMessage(), "binary");
    }
    return text;
  }

  private byte[] bytes(MultipartFile binary) {
    if (binary == null || binary.isEmpty()) {
      throw Rejection.badRequest("missing-binary", "the plugin jar is required as the multipart part 'binary'", "binary");
    }
    if (binary.getSize() > properties.maxSize().toBytes()) {
      throw new Rejection(413, "plugin-too-large", "a plugin binary may be at most " + properties.maxSize().toMegabytes() + " MB", "binary");
    }
    try {
      return binary.getBytes();
    } catch (IOException e) {
      throw Rejection.badRequest("unreadable-binary", "the uploaded binary could not be read: " + e.getMessage(), "binary");
    }
  }

  private static byte[] signature(String signature) {
    if (signature == null || signature.isBlank()) {
      return null;
    }
    try {
      return Base64.getDecoder().decode(signature.strip());
    } catch (IllegalArgumentException e) {
      throw Rejection.badRequest("bad-signature", "signature must be Base64 (as ./hotswap plugin sign writes it)", "signature");
    }
  }

  private void requireStorage() {
    if (!binaries.configured()) {
      throw new Rejection(503, "object-storage-not-configured", "this gateway has no object storage for plugin binaries "
          + "(hotswap.plugins.storage.endpoint)", null);
    }
  }

  /**
   * The tenant a registration is for, checked: one the caller may see, that exists and is not
   * deleted; null for a platform plugin, which a tenant-scoped token may not register.
   */
  private io.hotswap.avro.Tenant owner(String tenantId) {
    if (tenantId == null || tenantId.isBlank()) {
      if (scope.allowedTenants() != null) {
        throw new Rejection(403, "forbidden", "a tenant-scoped token registers plugins for one of its tenants: give tenantId", "tenantId");
      }
      return null;
    }
    String id = scope.visibleTenant(io.hotswap.core.domain.TenantIds.require(tenantId.strip()));
    io.hotswap.avro.Tenant tenant = router.<io.hotswap.avro.Tenant>globalStore(io.hotswap.gateway.reads.ReadTopology.TENANTS_STORE).get(id);
    if (tenant == null || tenant.getStatus() == io.hotswap.avro.TenantStatus.DELETED) {
      throw Rejection.notFound("tenant-not-found", "tenant '" + id + "' does not exist", "tenantId");
    }
    return tenant;
  }

  /** Whether the caller may see a version: the platform's are everyone's, a tenant's own only its callers'. */
  private boolean visible(PluginVersion v) {
    return v.getTenantId() == null || scope.canSee(v.getTenantId());
  }

  private List<PluginVersion> existing(String pluginId) {
    List<PluginVersion> versions = registry.versions(PluginVersions.requireId(pluginId, "pluginId"));
    if (versions.isEmpty() || !visible(versions.getFirst())) {
      throw Rejection.notFound("plugin-not-found", "No plugin '" + pluginId + "' is registered", "pluginId");
    }
    return versions;
  }

  private PluginVersion existing(String pluginId, String version) {
    PluginVersions.requireId(pluginId, "pluginId");
    PluginVersion v = registry.version(pluginId, SemVer.parse(version, "version").toString());
    if (v == null || !visible(v)) {
      throw Rejection.notFound("plugin-version-not-found", "plugin '" + pluginId + "' has no version " + version, "version");
    }
    return v;
  }

  /** Read-your-writes: the global store shows what the write made. */
  private PluginVersion await(String pluginId, String version, java.util.function.Predicate<PluginVersion> done) {
    return Waits.until(() -> registry.version(pluginId, version), done, readYourWritesWait,
        () -> PluginVersions.coordinates(pluginId, version) + " is applied but not readable yet; retry shortly");
  }
}
