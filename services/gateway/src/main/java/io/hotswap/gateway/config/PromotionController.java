package io.hotswap.gateway.config;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.ConfigEntry;
import io.hotswap.avro.ConfigPayload;
import io.hotswap.avro.ValueType;
import io.hotswap.core.domain.Environments;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.gateway.pipeline.Writes;
import io.hotswap.gateway.pipeline.Commands;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.security.TenantScope;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/configs/{configId}/promote}: copies a key's current value forward
 * (development → qa → staging → production, never back). Into a guarded environment (Staging and
 * Production by default) the change is held for approval and answered 202 with its approval id;
 * otherwise it is applied as a new version in the target, audited as CONFIG_PROMOTED.
 */
@RestController
class PromotionController {

  private final StoreRouter router;
  private final Writes writes;
  private final TenantScope scope;
  private final SecretVault vault;
  private final Duration readYourWritesWait;

  PromotionController(StoreRouter router, Writes writes, TenantScope scope, SecretVault vault,
                      Duration readYourWritesWait) {
    this.router = router;
    this.writes = writes;
    this.scope = scope;
    this.vault = vault;
    this.readYourWritesWait = readYourWritesWait;
  }

  /** Optional body: the target environment (default: the next one). */
  record PromoteRequest(String targetEnvironment) {}

  @PostMapping("/api/v1/configs/{configId}/promote")
  ResponseEntity<?> promote(@PathVariable String configId, @RequestBody(required = false) PromoteRequest body,
                            @RequestParam(required = false) String targetEnvironment,
                            HttpServletRequest request, HttpServletResponse response) {
    StoreKeys.ConfigId id = scope.visibleConfig(configId);
    String requested = targetEnvironment != null ? targetEnvironment : body == null ? null : body.targetEnvironment();
    String target = requested == null ? Environments.next(id.environment()) : Environments.require(requested);
    if (target == null) {
      throw Rejection.badRequest("invalid-promotion", "production is the last environment; there is nothing to promote to", "targetEnvironment");
    }
    if (Environments.order(target) <= Environments.order(id.environment())) {
      throw Rejection.badRequest("invalid-promotion", "promotion goes forward only (development → qa → staging → production): "
          + id.environment() + " → " + target + " is not forward", "targetEnvironment");
    }
    String actor = scope.subject();
    return router.route(id.tenantId(), withTarget(request, target), partition -> {
      ReadOnlyKeyValueStore<String, ConfigEntry> store = router.localStore(ReadTopology.CONFIG_STORE, partition);
      ConfigEntry source = store.get(id.storeKey());
      if (source == null || source.getDeleted()) {
        throw Rejection.notFound("config-not-found", "No configuration with id '" + configId + "'", "configId");
      }
      String value = source.getValue();
      if (source.getValueType() == ValueType.SECRET) {
        // sealed values are bound to their environment: re-seal for the target
        value = vault.seal(id.tenantId(), target, id.key(), vault.open(id.tenantId(), id.environment(), id.key(), value), request, actor);
      } else if (io.hotswap.protocol.PluginAssignment.pluginOf(id.key()) != null) {
        // a plugin assignment's credentials are sealed for their environment like Secret values: re-sealed for the target
        io.hotswap.protocol.PluginAssignment assignment = io.hotswap.protocol.PluginAssignment.parse(id.key(), value);
        Map<String, String> resealed = new LinkedHashMap<>();
        assignment.credentials().forEach((name, sealed) -> resealed.put(name,
            vault.seal(id.tenantId(), target, id.key(), vault.open(id.tenantId(), id.environment(), id.key(), sealed), request, actor)));
        value = assignment.withCredentials(resealed).toJson();
      }
      Command command = Commands.envelope(CommandType.CONFIG_PROMOTE, id.tenantId(), request, actor)
          .setConfig(ConfigPayload.newBuilder()
              .setEnvironment(target).setKey(id.key()).setValue(value).setValueType(source.getValueType())
              .setTags(source.getTags()).setDescription(source.getDescription())
              .setPromotedFrom(id.environment()).setPromotedFromVersion(source.getVersion())
              .build())
          .build();
      CommandResult result = writes.submit(command);
      String targetId = StoreKeys.configId(id.tenantId(), target, id.key());
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("promotedFrom", configId);
      answer.put("promotedFromVersion", source.getVersion());
      answer.put("targetEnvironment", target);
      if (Writes.isHeld(result)) {
        return writes.held(result, answer);
      }
      ConfigEntry applied = ReadYourWrites.await(router, partition, StoreKeys.config(id.tenantId(), target, id.key()), result.getVersion(),
          readYourWritesWait);
      answer.put("status", "Applied");
      answer.put("config", ConfigView.of(applied));
      return ResponseEntity.status(result.getStatus()).location(URI.create("/api/v1/configs/" + targetId))
          .eTag(Long.toString(applied.getVersion())).body(answer);
    });
  }



  private static HttpServletRequest withTarget(HttpServletRequest request, String target) {
    return new HttpServletRequestWrapper(request) {
      @Override
      public String getQueryString() {
        return "targetEnvironment=" + target;
      }
    };
  }
}
