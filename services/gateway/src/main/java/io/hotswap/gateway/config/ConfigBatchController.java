package io.hotswap.gateway.config;

import io.hotswap.avro.BatchItem;
import io.hotswap.avro.BatchOp;
import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.ConfigPayload;
import io.hotswap.avro.ItemResult;
import io.hotswap.avro.ValueType;
import io.hotswap.core.domain.Batches;
import io.hotswap.core.domain.ConfigKeys;
import io.hotswap.core.domain.Environments;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.domain.TenantIds;
import io.hotswap.core.domain.ValueTypes;
import io.hotswap.core.security.Role;
import io.hotswap.gateway.pipeline.Writes;
import io.hotswap.gateway.pipeline.Commands;
import io.hotswap.gateway.ratelimit.RateLimits;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.security.TenantScope;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Bulk writes for imports: one request carries up to 1,000 changes of one tenant, which travel the
 * pipeline as one command and are applied in one transaction — each item its own version, live
 * record and audit event — or not at all. Every item is checked here first (key, type, value,
 * size) and again by validation against the tenant's state; any bad item rejects the whole batch
 * with 422 and a JSON Pointer per bad item. A batch costs one write token per item.
 */
@RestController
class ConfigBatchController {

  /** Values of one batch together; the command carrying them must fit a Kafka record (4 MB). */
  static final int MAX_BATCH_VALUE_BYTES = 3 * ValueTypes.MAX_VALUE_BYTES;

  private final Writes writes;
  private final StoreRouter router;
  private final Duration readYourWritesWait;
  private final TenantScope scope;
  private final RateLimits rateLimits;
  private final SecretVault vault;

  ConfigBatchController(Writes writes, StoreRouter router, Duration readYourWritesWait, TenantScope scope, RateLimits rateLimits,
                        SecretVault vault) {
    this.writes = writes;
    this.router = router;
    this.readYourWritesWait = readYourWritesWait;
    this.scope = scope;
    this.rateLimits = rateLimits;
    this.vault = vault;
  }

  @PostMapping("/api/v1/configs:batch")
  ResponseEntity<?> batch(@RequestBody ConfigRequests.Batch body, HttpServletRequest request, HttpServletResponse response) {
    if (body == null) {
      throw Rejection.badRequest("missing-body", "a JSON body is required", null);
    }
    String tenantId = scope.visibleTenant(TenantIds.require(body.tenantId()));
    List<ConfigRequests.BatchEntry> entries = body.items() == null ? List.of() : body.items();
    Batches.requireSize(entries.size());
    String defaultEnvironment = Environments.require(body.environment() == null ? "development" : body.environment());
    List<BatchOp> ops = new ArrayList<>(entries.size());
    List<String> errors = new ArrayList<>();
    long bad = 0;
    for (int i = 0; i < entries.size(); i++) {
      try {
        ops.add(op(entries.get(i)));
      } catch (Rejection r) {
        ops.add(null);
        errors.addAll(Batches.errors(i, r));
        bad++;
      }
    }
    // deleting is for admins (as DELETE /api/v1/configs/{configId}); a batch can't widen what a role may do
    if (ops.contains(BatchOp.DELETE) && !scope.hasAnyRole(Role.ADMIN)) {
      throw new Rejection(403, "forbidden", "only Admin may delete configuration; remove the delete items or use an Admin token", "items");
    }
    rateLimits.chargeItems(tenantId, entries.size());
    List<BatchItem> items = new ArrayList<>(entries.size());
    long valueBytes = 0;
    for (int i = 0; i < entries.size(); i++) {
      if (ops.get(i) == null) {
        continue;
      }
      try {
        BatchItem item = item(tenantId, defaultEnvironment, entries.get(i), ops.get(i), request);
        valueBytes += item.getConfig().getValue() == null ? 0 : item.getConfig().getValue().getBytes(StandardCharsets.UTF_8).length;
        items.add(item);
      } catch (Rejection r) {
        errors.addAll(Batches.errors(i, r));
        bad++;
      }
    }
    if (!errors.isEmpty()) {
      throw Batches.rejected(errors, bad, entries.size());
    }
    if (valueBytes > MAX_BATCH_VALUE_BYTES) {
      throw new Rejection(413, "batch-too-large", "the batch's values add up to " + valueBytes + " bytes; a batch carries at most "
          + MAX_BATCH_VALUE_BYTES + " bytes of values: split it", "items");
    }
    Command command = Commands.envelope(CommandType.CONFIG_BATCH, tenantId, request, scope.subject()).setBatch(items).build();
    CommandResult result = writes.submit(command);
    if (Writes.isHeld(result)) {
      // a batch is one unit: held whole when any item is in a guarded environment
      return writes.held(result, Map.of("tenantId", tenantId, "items", items.size()));
    }
    List<ItemResult> applied = result.getItems();
    // read-your-writes: the items' records reach the owner's stores in item order, so once the last
    // item's version is served there every item before it is too
    ItemResult last = applied.getLast();
    StoreKeys.ConfigId lastId = StoreKeys.parseConfigId(last.getResourceId());
    ResponseEntity<?> readBack = writes.readBack(ReadYourWrites.shown(router, lastId, last.getVersion(), readYourWritesWait));
    if (readBack.getStatusCode().is5xxServerError()) {
      return readBack;
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("tenantId", tenantId);
    answer.put("applied", applied.size());
    answer.put("items", applied.stream().map(r -> {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("configId", r.getResourceId());
      item.put("version", r.getVersion());
      item.put("status", switch (r.getStatus()) {
        case 201 -> "created";
        case 204 -> "deleted";
        default -> "updated";
      });
      return item;
    }).toList());
    return ResponseEntity.ok(answer);
  }

  private static BatchOp op(ConfigRequests.BatchEntry entry) {
    if (entry == null) {
      throw Rejection.badRequest("missing-item", "an item is an object with at least a key", "key");
    }
    if (entry.op() == null) {
      return BatchOp.UPSERT;
    }
    return switch (entry.op().toLowerCase(Locale.ROOT)) {
      case "upsert" -> BatchOp.UPSERT;
      case "create" -> BatchOp.CREATE;
      case "update" -> BatchOp.UPDATE;
      case "delete" -> BatchOp.DELETE;
      default -> throw Rejection.badRequest("invalid-op", "op must be upsert, create, update or delete (got '" + entry.op() + "')", "op");
    };
  }

  /** One item, checked as its single request would be; Secrets sealed here like any Secret write. */
  private BatchItem item(String tenantId, String defaultEnvironment, ConfigRequests.BatchEntry entry, BatchOp op, HttpServletRequest request) {
    String key = ConfigKeys.require(entry.key());
    String env = entry.environment() == null ? defaultEnvironment : Environments.require(entry.environment());
    ConfigPayload.Builder payload = ConfigPayload.newBuilder().setEnvironment(env).setKey(key).setExpectedVersion(entry.expectedVersion());
    if (op == BatchOp.DELETE) {
      return new BatchItem(op, payload.build());
    }
    String value = ConfigView.text(entry.value());
    if (value == null) {
      throw Rejection.badRequest("missing-value", "value is required", "value");
    }
    ValueType type = entry.type() == null ? null : ValueTypes.parse(entry.type());
    ValueType effective = type;
    if (effective == null && op != BatchOp.CREATE) {
      // an update keeps the declared type: needed here to check the value and to seal a Secret
      effective = existingType(StoreKeys.parseConfigId(StoreKeys.configId(tenantId, env, key)), request);
    }
    if (effective == null && op == BatchOp.UPDATE) {
      throw Rejection.notFound("config-not-found", "No configuration with id '" + StoreKeys.configId(tenantId, env, key) + "'", "key");
    }
    if (effective == null) {
      throw Rejection.badRequest("invalid-type", "type is required to create a key: one of String, Number, Boolean, Json, Secret", "type");
    }
    value = ValueTypes.check(effective, value);
    if (effective == ValueType.SECRET) {
      value = vault.seal(tenantId, env, key, value, request, scope.subject());
    }
    return new BatchItem(op, payload.setValue(value).setValueType(type)
        .setTags(entry.tags() == null ? null : ConfigController.tags(entry.tags())).setDescription(entry.description()).build());
  }

  /** The key's declared type, or null when it does not exist (an upsert then creates it and needs a type). */
  private ValueType existingType(StoreKeys.ConfigId id, HttpServletRequest request) {
    try {
      return CurrentConfig.type(router, id, request);
    } catch (Rejection notFound) {
      return null;
    }
  }
}
