package io.hotswap.gateway.config;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.ConfigEntry;
import io.hotswap.avro.ConfigPayload;
import io.hotswap.avro.ValueType;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.json.Json;
import io.hotswap.core.json.JsonDiff;
import io.hotswap.gateway.pipeline.Writes;
import io.hotswap.gateway.pipeline.Commands;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.security.TenantScope;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** Diff between two versions of a key, and rollback to an older version (a new version; history is never rewritten). */
@RestController
class HistoryController {

  private final StoreRouter router;
  private final Writes writes;
  private final TenantScope scope;
  private final Duration readYourWritesWait;

  HistoryController(StoreRouter router, Writes writes, TenantScope scope, Duration readYourWritesWait) {
    this.router = router;
    this.writes = writes;
    this.scope = scope;
    this.readYourWritesWait = readYourWritesWait;
  }

  /** {@code POST .../rollback} body: the version whose value becomes current again. */
  record RollbackRequest(Long version) {}

  /**
   * Structural diff for Json values (added / removed / changed, each with its JSON Pointer path);
   * old and new for scalars; secrets only say that they changed, masked.
   */
  @GetMapping("/api/v1/configs/{configId}/diff")
  ResponseEntity<?> diff(@PathVariable String configId, @RequestParam String from, @RequestParam String to,
                         HttpServletRequest request, HttpServletResponse response) {
    StoreKeys.ConfigId id = scope.visibleConfig(configId);
    long fromVersion = version(from, "from");
    long toVersion = version(to, "to");
    return router.route(id.tenantId(), request, partition -> {
      ReadOnlyKeyValueStore<String, ConfigEntry> versions = router.localStore(ReadTopology.VERSIONS_STORE, partition);
      ConfigEntry a = existing(versions, id, fromVersion, "from");
      ConfigEntry b = existing(versions, id, toVersion, "to");
      List<JsonDiff.Change> changes;
      if (a.getValueType() == ValueType.SECRET || b.getValueType() == ValueType.SECRET) {
        // ciphertexts differ on every write (random IV): a secret diff says "changed", never what
        JsonNode masked = Json.MAPPER.getNodeFactory().stringNode(ConfigView.MASK);
        changes = a.getVersion() == b.getVersion() ? List.of() : List.of(new JsonDiff.Change(JsonDiff.Op.CHANGED, "", masked, masked));
      } else if (a.getValueType() == ValueType.JSON && b.getValueType() == ValueType.JSON && a.getValue() != null && b.getValue() != null) {
        changes = JsonDiff.diff(tree(a.getValue()), tree(b.getValue()));
      } else {
        changes = JsonDiff.diff(ConfigView.typed(a.getValueType(), a.getValue()), ConfigView.typed(b.getValueType(), b.getValue()));
        if (!changes.isEmpty()) {
          changes = List.of(new JsonDiff.Change(JsonDiff.Op.CHANGED, "", ConfigView.typed(a.getValueType(), a.getValue()),
              ConfigView.typed(b.getValueType(), b.getValue())));
        }
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("configId", id.id());
      body.put("from", fromVersion);
      body.put("to", toVersion);
      body.put("type", io.hotswap.core.domain.ValueTypes.display(b.getValueType()));
      body.put("changes", changes.stream().map(HistoryController::view).toList());
      return ResponseEntity.ok(body);
    });
  }

  /**
   * Makes an older version's value current again as a new version; the audit event
   * (CONFIG_ROLLED_BACK) records before and after. Runs on the instance owning the tenant.
   */
  @PostMapping("/api/v1/configs/{configId}/rollback")
  ResponseEntity<?> rollback(@PathVariable String configId, @RequestBody(required = false) RollbackRequest body,
                             @RequestParam(required = false) Long version,
                             @RequestHeader(value = "If-Match", required = false) String ifMatch,
                             HttpServletRequest request, HttpServletResponse response) {
    StoreKeys.ConfigId id = scope.visibleConfig(configId);
    Long target = version != null ? version : body == null ? null : body.version();
    if (target == null || target < 1) {
      throw Rejection.badRequest("missing-version", "the version to roll back to is required: {\"version\": 2}", "version");
    }
    String actor = scope.subject();
    Long expected = ConfigController.expectedVersion(ifMatch);
    return router.route(id.tenantId(), withVersion(request, target), partition -> {
      ConfigEntry old = existing(router.localStore(ReadTopology.VERSIONS_STORE, partition), id, target, "version");
      ReadOnlyKeyValueStore<String, ConfigEntry> current = router.localStore(ReadTopology.CONFIG_STORE, partition);
      ConfigEntry now = current.get(id.storeKey());
      if (now == null || now.getDeleted()) {
        throw Rejection.conflict("config-deleted", "'" + configId + "' is deleted; create it again instead of rolling back", "configId");
      }
      Command command = Commands.envelope(CommandType.CONFIG_UPDATE, id.tenantId(), request, actor)
          .setConfig(ConfigPayload.newBuilder().setEnvironment(id.environment()).setKey(id.key())
              .setValue(old.getValue()).setValueType(old.getValueType())
              .setExpectedVersion(expected).setRollbackToVersion(target).build())
          .build();
      CommandResult result = writes.submit(command);
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("rolledBackTo", target);
      answer.put("previousVersion", now.getVersion());
      if (Writes.isHeld(result)) {
        answer.put("configId", configId);
        return writes.held(result, answer);
      }
      ConfigEntry applied = ReadYourWrites.await(router, partition, id.storeKey(), result.getVersion(), readYourWritesWait);
      answer.put("config", ConfigView.of(applied));
      return ResponseEntity.ok().eTag(Long.toString(applied.getVersion())).body(answer);
    });
  }



  private static ConfigEntry existing(ReadOnlyKeyValueStore<String, ConfigEntry> versions, StoreKeys.ConfigId id, long version, String field) {
    ConfigEntry e = versions.get(StoreKeys.version(id.tenantId(), id.environment(), id.key(), version));
    if (e == null) {
      throw Rejection.notFound("version-not-found", "Configuration '" + id.id() + "' has no version " + version, field);
    }
    return e;
  }

  /** {@code 3} or {@code v3}. */
  static long version(String text, String field) {
    String t = text.startsWith("v") || text.startsWith("V") ? text.substring(1) : text;
    try {
      long v = Long.parseLong(t);
      if (v >= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw Rejection.badRequest("invalid-version", field + " must be a version like 3 or v3 (got '" + text + "')", field);
  }

  private static JsonNode tree(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (JacksonException e) {
      return Json.MAPPER.getNodeFactory().stringNode(json);
    }
  }

  private static Map<String, Object> view(JsonDiff.Change c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("op", c.op().name().toLowerCase(java.util.Locale.ROOT));
    m.put("path", c.path());
    m.put("oldValue", c.oldValue());
    m.put("newValue", c.newValue());
    return m;
  }

  /** The request as forwarded to the owner: the target version travels in the query (forwards carry no body). */
  private static HttpServletRequest withVersion(HttpServletRequest request, long version) {
    return new HttpServletRequestWrapper(request) {
      @Override
      public String getQueryString() {
        return "version=" + version;
      }
    };
  }
}
