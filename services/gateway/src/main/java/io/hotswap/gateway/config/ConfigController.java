package io.hotswap.gateway.config;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.ConfigEntry;
import io.hotswap.avro.ConfigPayload;
import io.hotswap.avro.ValueType;
import io.hotswap.core.domain.ConfigKeys;
import io.hotswap.core.domain.Environments;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.domain.TenantIds;
import io.hotswap.core.domain.ValueTypes;
import io.hotswap.gateway.pipeline.Writes;
import io.hotswap.gateway.pipeline.Commands;
import io.hotswap.gateway.reads.Page;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.security.TenantScope;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Typed key/value configuration. Writes become commands and wait for their result; reads come
 * from the state store of the instance that owns the tenant (never from PostgreSQL).
 */
@RestController
@RequestMapping("/api/v1/configs")
class ConfigController {

  private final Writes writes;
  private final StoreRouter router;
  private final Duration readYourWritesWait;
  private final TenantScope scope;
  private final SecretVault vault;
  private final io.hotswap.gateway.schema.SchemaCatalog schemas;

  ConfigController(Writes writes, StoreRouter router, Duration readYourWritesWait, TenantScope scope,
                   SecretVault vault, io.hotswap.gateway.schema.SchemaCatalog schemas) {
    this.vault = vault;
    this.schemas = schemas;
    this.writes = writes;
    this.router = router;
    this.readYourWritesWait = readYourWritesWait;
    this.scope = scope;
  }

  @PostMapping
  ResponseEntity<?> create(@RequestBody ConfigRequests.Create body, HttpServletRequest request, HttpServletResponse response) {
    if (body == null) {
      throw Rejection.badRequest("missing-body", "a JSON body is required", null);
    }
    String tenantId = scope.visibleTenant(TenantIds.require(body.tenantId()));
    String key = ConfigKeys.require(body.key());
    String env = Environments.require(body.environment() == null ? "development" : body.environment());
    ValueType type = ValueTypes.parse(body.type());
    String value = ValueTypes.check(type, ConfigView.text(body.value()));
    if (type == ValueType.SECRET) {
      value = vault.seal(tenantId, env, key, value, request, scope.subject());
    }
    Command command = Commands.envelope(CommandType.CONFIG_CREATE, tenantId, request, scope.subject())
        .setConfig(ConfigPayload.newBuilder()
            .setEnvironment(env).setKey(key).setValue(value).setValueType(type)
            .setTags(tags(body.tags())).setDescription(body.description())
            .build())
        .build();
    CommandResult result = writes.submit(command);
    if (Writes.isHeld(result)) {
      return writes.held(result, Map.of("configId", StoreKeys.configId(tenantId, env, key)));
    }
    return fresh(new StoreKeys.ConfigId(tenantId, env, key), result.getVersion(), HttpStatus.CREATED);
  }

  @GetMapping("/{configId}")
  ResponseEntity<?> get(@PathVariable String configId, @RequestParam(required = false) Long minVersion, HttpServletRequest request,
                        HttpServletResponse response) {
    StoreKeys.ConfigId id = scope.visibleConfig(configId);
    if (minVersion != null && minVersion < 1) {
      // versions start at 1: there is nothing to wait for, and a wait would end in a 503 that invites a retry
      throw Rejection.badRequest("invalid-min-version", "minVersion must be 1 or more (got " + minVersion + ")", "minVersion");
    }
    return router.route(id.tenantId(), request, partition -> {
      ConfigEntry entry = ReadYourWrites.await(router, partition, id.storeKey(), minVersion, readYourWritesWait);
      if (entry == null || entry.getDeleted()) {
        throw Rejection.notFound("config-not-found", "No configuration with id '" + configId + "'", "configId");
      }
      return ResponseEntity.ok().eTag(Long.toString(entry.getVersion())).body(ConfigView.of(entry));
    });
  }

  @GetMapping("/tenant/{tenantId}")
  ResponseEntity<?> list(@PathVariable String tenantId,
                         @RequestParam(required = false) String environment,
                         @RequestParam(required = false) String tag,
                         @RequestParam(required = false) String prefix,
                         @RequestParam(defaultValue = "false") boolean includeDeleted,
                         @RequestParam(defaultValue = "0") int page,
                         @RequestParam(defaultValue = "50") int size,
                         HttpServletRequest request, HttpServletResponse response) {
    scope.visibleTenant(TenantIds.require(tenantId));
    Page.check(page, size);
    String env = environment == null ? null : Environments.require(environment);
    ConfigQueries.Filter filter = new ConfigQueries.Filter(tag, prefix, includeDeleted);
    return router.route(tenantId, request, partition -> {
      ReadOnlyKeyValueStore<String, ConfigEntry> store = router.localStore(ReadTopology.CONFIG_STORE, partition);
      List<ConfigView> items = env == null ? ConfigQueries.all(store, tenantId, filter) : ConfigQueries.effective(store, tenantId, env, filter);
      return ResponseEntity.ok(Page.of(items, page, size));
    });
  }

  @PutMapping("/{configId}")
  ResponseEntity<?> update(@PathVariable String configId, @RequestBody ConfigRequests.Update body,
                           @RequestHeader(value = "If-Match", required = false) String ifMatch, HttpServletRequest request,
                           HttpServletResponse response) {
    StoreKeys.ConfigId id = notAPluginAssignment(scope.visibleConfig(configId));
    if (body == null) {
      throw Rejection.badRequest("missing-body", "a JSON body is required", null);
    }
    ValueType type = body.type() == null ? null : ValueTypes.parse(body.type());
    String value = ConfigView.text(body.value());
    if (value == null) {
      throw Rejection.badRequest("missing-value", "value is required", "value");
    }
    ValueType effective = type != null ? type : currentType(id, request);
    value = ValueTypes.check(effective, value);
    if (effective == ValueType.SECRET) {
      value = vault.seal(id.tenantId(), id.environment(), id.key(), value, request, scope.subject());
    }
    Command command = Commands.envelope(CommandType.CONFIG_UPDATE, id.tenantId(), request, scope.subject())
        .setConfig(ConfigPayload.newBuilder()
            .setEnvironment(id.environment()).setKey(id.key()).setValue(value).setValueType(type)
            .setTags(body.tags() == null ? null : tags(body.tags())).setDescription(body.description())
            .setExpectedVersion(expectedVersion(ifMatch))
            .build())
        .build();
    CommandResult result = writes.submit(command);
    if (Writes.isHeld(result)) {
      return writes.held(result, Map.of("configId", configId));
    }
    return fresh(id, result.getVersion(), HttpStatus.OK);
  }

  @DeleteMapping("/{configId}")
  ResponseEntity<?> delete(@PathVariable String configId, @RequestHeader(value = "If-Match", required = false) String ifMatch,
                           HttpServletRequest request, HttpServletResponse response) {
    StoreKeys.ConfigId id = notAPluginAssignment(scope.visibleConfig(configId));
    Command command = Commands.envelope(CommandType.CONFIG_DELETE, id.tenantId(), request, scope.subject())
        .setConfig(ConfigPayload.newBuilder().setEnvironment(id.environment()).setKey(id.key())
            .setExpectedVersion(expectedVersion(ifMatch)).build())
        .build();
    CommandResult result = writes.submit(command);
    if (Writes.isHeld(result)) {
      return writes.held(result, Map.of("configId", configId));
    }
    long version = result.getVersion();
    // read-your-writes: answer once the owner's store serves the deletion, so a read right after
    // the 204 (of the key, or of the environment's effective values) no longer sees the value. A
    // forwarded read-back answers 404 once it does.
    ResponseEntity<?> readBack = writes.readBack(ReadYourWrites.shown(router, id, version, readYourWritesWait));
    return readBack.getStatusCode().is5xxServerError() ? readBack : ResponseEntity.noContent().build();
  }

  @GetMapping("/{configId}/versions")
  ResponseEntity<?> versions(@PathVariable String configId,
                             @RequestParam(defaultValue = "0") int page,
                             @RequestParam(defaultValue = "50") int size,
                             HttpServletRequest request, HttpServletResponse response) {
    StoreKeys.ConfigId id = scope.visibleConfig(configId);
    Page.check(page, size);
    return router.route(id.tenantId(), request, partition -> {
      List<ConfigView> items = ConfigQueries.versions(router.localStore(ReadTopology.VERSIONS_STORE, partition), id);
      if (items.isEmpty()) {
        throw Rejection.notFound("config-not-found", "No configuration with id '" + configId + "'", "configId");
      }
      return ResponseEntity.ok(Page.of(items, page, size));
    });
  }

  @GetMapping("/{configId}/versions/{version}")
  ResponseEntity<?> version(@PathVariable String configId, @PathVariable long version, HttpServletRequest request,
                            HttpServletResponse response) {
    StoreKeys.ConfigId id = scope.visibleConfig(configId);
    return router.route(id.tenantId(), request, partition -> {
      ReadOnlyKeyValueStore<String, ConfigEntry> store = router.localStore(ReadTopology.VERSIONS_STORE, partition);
      ConfigEntry entry = store.get(StoreKeys.version(id.tenantId(), id.environment(), id.key(), version));
      if (entry == null) {
        throw Rejection.notFound("version-not-found", "Configuration '" + configId + "' has no version " + version, "version");
      }
      return ResponseEntity.ok().eTag(Long.toString(entry.getVersion())).body(ConfigView.of(entry));
    });
  }

  /**
   * Dry run of a write: checks the value against its type and the schema in force for the key
   * (the key need not exist yet; give {@code type} then). Nothing is stored; the answer says
   * {@code valid}, lists every error with its JSON Pointer, and shows the value with defaults.
   */
  @PostMapping("/{configId}/validate")
  Map<String, Object> validate(@PathVariable String configId, @RequestBody ConfigRequests.Update body, HttpServletRequest request,
                               HttpServletResponse response) {
    StoreKeys.ConfigId id = scope.visibleConfig(configId);
    if (body == null || body.value() == null) {
      throw Rejection.badRequest("missing-value", "value is required: {\"value\": ...}", "value");
    }
    ValueType type = body.type() != null ? ValueTypes.parse(body.type()) : currentType(id, request);
    Map<String, Object> answer = new java.util.LinkedHashMap<>();
    answer.put("configId", id.id());
    String value;
    try {
      value = ValueTypes.check(type, ConfigView.text(body.value()));
    } catch (Rejection r) {
      answer.put("valid", false);
      answer.put("errors", List.of("/: " + r.detail()));
      return answer;
    }
    io.hotswap.avro.ConfigSchema schema = type == ValueType.SECRET ? null : schemas.governing(id.tenantId(), id.key());
    if (schema == null) {
      answer.put("valid", true);
      answer.put("errors", List.of());
      answer.put("value", type == ValueType.SECRET ? ConfigView.typed(type, value) : io.hotswap.core.schema.ConfigSchemas.instance(type, value));
      return answer;
    }
    answer.putAll(io.hotswap.gateway.schema.DryRun.report(schema, io.hotswap.core.schema.ConfigSchemas.instance(type, value)));
    return answer;
  }

  /**
   * A plugin assignment ({@code plugin:<id>}) is read, listed, rolled back and promoted like any key,
   * but written only through {@code /api/v1/tenants/{tenantId}/plugins}, which checks it against the
   * registry.
   */
  static StoreKeys.ConfigId notAPluginAssignment(StoreKeys.ConfigId id) {
    String plugin = io.hotswap.protocol.PluginAssignment.pluginOf(id.key());
    if (plugin != null) {
      throw Rejection.badRequest("plugin-assignment", "'" + id.key() + "' is a plugin assignment: change it with PUT or DELETE "
          + "/api/v1/tenants/" + id.tenantId() + "/plugins/" + plugin + "?environment=" + id.environment(), "configId");
    }
    return id;
  }

  /** The declared type of a key, read on the instance that owns it (a Secret's new value must be sealed). */
  private ValueType currentType(StoreKeys.ConfigId id, HttpServletRequest request) {
    return CurrentConfig.type(router, id, request);
  }

  /** Read-your-writes: answers the write with the key as the owner now serves it. */
  private ResponseEntity<?> fresh(StoreKeys.ConfigId id, long version, HttpStatus status) {
    return writes.answer(status, Long.toString(version), ReadYourWrites.shown(router, id, version, readYourWritesWait));
  }



  static List<String> tags(List<String> tags) {
    if (tags == null) {
      return List.of();
    }
    for (String t : tags) {
      if (t == null || t.isBlank() || t.length() > 64) {
        throw Rejection.badRequest("invalid-tag", "tags must be 1 to 64 characters", "tags");
      }
    }
    return List.copyOf(tags);
  }

  static Long expectedVersion(String ifMatch) {
    return CurrentConfig.expectedVersion(ifMatch);
  }
}
