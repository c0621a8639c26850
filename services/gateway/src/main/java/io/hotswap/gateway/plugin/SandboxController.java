package io.hotswap.gateway.plugin;

import io.hotswap.avro.PluginVersion;
import io.hotswap.core.domain.Environments;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.SemVer;
import io.hotswap.core.plugin.PluginVersions;
import io.hotswap.gateway.security.TenantScope;
import io.hotswap.plugin.host.Sandbox;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Plugin sandboxes ({@link SandboxService}): {@code create}, {@code load} a registered version,
 * {@code execute} test cases (in a child JVM with memory, CPU and wall-time limits and no
 * network), read the {@code results}, {@code cleanup}.
 */
@RestController
@RequestMapping("/api/v1/sandbox")
class SandboxController {

  private static final int MAX_HEAP_MB = 1024;
  private static final Duration MAX_CPU = Duration.ofMinutes(10);
  private static final Duration MAX_WALL = Duration.ofMinutes(30);

  private final SandboxService sandboxes;
  private final PluginRegistry registry;
  private final PluginBinaries binaries;
  private final TenantScope scope;

  private final PluginTrust trust;
  private final String ownerTag;

  SandboxController(SandboxService sandboxes, PluginRegistry registry, PluginBinaries binaries, TenantScope scope, PluginTrust trust,
                    io.hotswap.gateway.reads.StoreRouter router) {
    this.ownerTag = SandboxRelay.ownerTag(router.self());
    this.trust = trust;
    this.sandboxes = sandboxes;
    this.registry = registry;
    this.binaries = binaries;
    this.scope = scope;
  }

  /** Limits of a sandbox's runs; each missing one takes the default (128 MB heap, 2 min CPU, 5 min wall). */
  record Limits(Integer heapMb, Integer cpuSeconds, Integer wallSeconds) {}

  record Create(String environment, Limits limits) {}

  @PostMapping("/create")
  ResponseEntity<Map<String, Object>> create(@RequestBody(required = false) Create body) {
    String env = Environments.require(body == null || body.environment() == null ? "development" : body.environment());
    SandboxService.Session s = sandboxes.create(env, scope.subject(), limits(body == null ? null : body.limits()), ownerTag);
    return ResponseEntity.created(URI.create("/api/v1/sandbox/" + s.id + "/results")).body(view(s));
  }

  record Load(String pluginId, String version, Map<String, String> config) {}

  /** Loads a registered version (its binary from object storage, checked as a host checks it). */
  @PostMapping("/{id}/load")
  Map<String, Object> load(@PathVariable String id, @RequestBody Load body) {
    sandboxes.get(id);
    if (body == null || body.pluginId() == null || body.version() == null) {
      throw Rejection.badRequest("missing-plugin", "pluginId and version of a registered plugin are required", "pluginId");
    }
    PluginVersion v = registry.version(PluginVersions.requireId(body.pluginId(), "pluginId"), SemVer.parse(body.version(), "version").toString());
    if (v == null || v.getTenantId() != null && !scope.canSee(v.getTenantId())) {
      throw Rejection.notFound("plugin-version-not-found", "plugin '" + body.pluginId() + "' has no version " + body.version(), "version");
    }
    return view(sandboxes.load(id, v, binaries.get(v), body.config() == null ? Map.of() : body.config(), trust.of(v)));
  }

  /** One call and, optionally, the output it must give. */
  record Case(String operation, Map<String, String> arguments, String expected) {}

  record Execute(List<Case> testCases) {}

  /** Starts the test cases; 202, and {@code GET …/results} shows them running, then their outcome. */
  @PostMapping("/{id}/execute")
  ResponseEntity<Map<String, Object>> execute(@PathVariable String id, @RequestBody Execute body) {
    sandboxes.get(id);
    List<Sandbox.TestCase> cases = testCases(body == null ? null : body.testCases());
    return ResponseEntity.status(HttpStatus.ACCEPTED).body(view(sandboxes.execute(id, cases)));
  }

  @GetMapping("/{id}/results")
  Map<String, Object> results(@PathVariable String id) {
    return view(sandboxes.get(id));
  }

  @PostMapping("/{id}/cleanup")
  Map<String, Object> cleanup(@PathVariable String id) {
    SandboxService.Session s = sandboxes.get(id);
    sandboxes.cleanup(id);
    Map<String, Object> view = view(s);
    view.put("status", "cleaned_up");
    return view;
  }

  static List<Sandbox.TestCase> testCases(List<Case> cases) {
    if (cases == null || cases.isEmpty() || cases.size() > 100) {
      throw Rejection.badRequest("invalid-test-cases", "testCases is a list of 1 to 100 {operation, arguments, expected}", "testCases");
    }
    return cases.stream().map(c -> {
      if (c == null || c.operation() == null || c.operation().isBlank()) {
        throw Rejection.badRequest("invalid-test-cases", "every test case names its operation", "testCases");
      }
      return new Sandbox.TestCase(c.operation(), c.arguments() == null ? Map.of() : c.arguments(), c.expected());
    }).toList();
  }

  private static Sandbox.Limits limits(Limits asked) {
    Sandbox.Limits d = Sandbox.Limits.defaults();
    if (asked == null) {
      return d;
    }
    int heap = asked.heapMb() == null ? d.heapMegabytes() : asked.heapMb();
    Duration cpu = asked.cpuSeconds() == null ? d.cpu() : Duration.ofSeconds(asked.cpuSeconds());
    Duration wall = asked.wallSeconds() == null ? d.wall() : Duration.ofSeconds(asked.wallSeconds());
    if (heap < 16 || heap > MAX_HEAP_MB || cpu.isNegative() || cpu.isZero() || cpu.compareTo(MAX_CPU) > 0 || wall.isNegative()
        || wall.isZero() || wall.compareTo(MAX_WALL) > 0) {
      throw Rejection.badRequest("invalid-limits", "limits: heapMb 16-" + MAX_HEAP_MB + ", cpuSeconds 1-" + MAX_CPU.toSeconds()
          + ", wallSeconds 1-" + MAX_WALL.toSeconds(), "limits");
    }
    return new Sandbox.Limits(heap, cpu, wall);
  }

  private static Map<String, Object> view(SandboxService.Session s) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("sandboxId", s.id);
    view.put("environment", s.environment);
    view.put("status", s.status.name().toLowerCase(java.util.Locale.ROOT));
    view.put("plugin", s.plugin == null ? null : PluginVersions.coordinates(s.plugin.getPluginId(), s.plugin.getVersion()));
    view.put("limits", Map.of("heapMb", s.limits.heapMegabytes(), "cpuSeconds", s.limits.cpu().toSeconds(), "wallSeconds",
        s.limits.wall().toSeconds()));
    view.put("createdBy", s.createdBy);
    view.put("createdAt", s.createdAt);
    view.put("expiresAt", s.expiresAt);
    Sandbox.Result r = s.result;
    if (r != null) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("outcome", r.outcome().name());
      result.put("reason", r.reason());
      result.put("cases", r.cases());
      result.put("cpuMs", r.cpu().toMillis());
      result.put("wallMs", r.wall().toMillis());
      result.put("networkIsolated", r.networkIsolated());
      result.put("log", r.log());
      result.put("finishedAt", s.finishedAt);
      view.put("result", result);
    }
    return view;
  }
}
