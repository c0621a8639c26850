package io.hotswap.gateway.schema;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.Compatibility;
import io.hotswap.avro.ConfigSchema;
import io.hotswap.avro.Outcome;
import io.hotswap.avro.SchemaPayload;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.core.domain.TenantIds;
import io.hotswap.core.domain.Texts;
import io.hotswap.core.json.Json;
import io.hotswap.core.schema.ConfigSchemas;
import io.hotswap.gateway.pipeline.Writes;
import io.hotswap.gateway.pipeline.Commands;
import io.hotswap.gateway.reads.Page;
import io.hotswap.gateway.reads.Waits;
import io.hotswap.gateway.security.TenantScope;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
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
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The JSON Schema registry: tenants' schemas (draft 2020-12, or the short rule form) attached to
 * key patterns or used by profiles, versioned, checked for compatibility, and approved by an Admin
 * when a breaking version would affect what is in use. Rollout enforces them on every write.
 */
@RestController
@RequestMapping("/api/v1/schemas")
class SchemaController {

  private final Writes writes;
  private final SchemaCatalog catalog;
  private final TenantScope scope;
  private final Duration readYourWritesWait;

  SchemaController(Writes writes, SchemaCatalog catalog, TenantScope scope, Duration readYourWritesWait) {
    this.writes = writes;
    this.catalog = catalog;
    this.scope = scope;
    this.readYourWritesWait = readYourWritesWait;
  }

  /**
   * {@code POST /api/v1/schemas}: give either {@code schema} (a JSON Schema) or {@code rules}
   * (the short form: type, min, max, regex, required, default, enum).
   */
  record RegisterSchema(String tenantId, String name, String keyPattern, JsonNode schema, JsonNode rules, String compatibility,
                        String description) {}

  /** Dry-run body: a value to check, optionally against an older version. */
  record ValidateValue(JsonNode value, Integer version) {}

  @PostMapping
  ResponseEntity<?> register(@RequestBody RegisterSchema body, HttpServletRequest request, HttpServletResponse response) {
    if (body == null) {
      throw Rejection.badRequest("missing-body", "a JSON body is required", null);
    }
    String tenantId = scope.visibleTenant(TenantIds.require(body.tenantId()));
    String name = ConfigSchemas.requireName(body.name(), "name");
    String keyPattern = ConfigSchemas.requireKeyPattern(body.keyPattern());
    JsonNode schema = schemaOf(body);
    Compatibility mode = body.compatibility() == null ? Compatibility.BACKWARD : Texts.parse(Compatibility.class, body.compatibility(), "compatibility");
    Command command = Commands.envelope(CommandType.SCHEMA_REGISTER, tenantId, request, scope.subject())
        .setSchemaChange(SchemaPayload.newBuilder()
            .setName(name).setKeyPattern(keyPattern).setSchemaJson(Json.MAPPER.writeValueAsString(schema))
            .setCompatibility(mode).setDescription(body.description())
            .build())
        .build();
    CommandResult result = writes.submit(command);
    String schemaId = StoreKeys.schemaId(tenantId, name);
    if (result.getOutcome() == Outcome.PENDING) {
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("schemaId", schemaId);
      answer.put("status", "Pending");
      answer.put("approvalId", result.getResourceId());
      answer.put("detail", result.getDetail());
      answer.put("breaks", result.getErrors());
      return ResponseEntity.status(HttpStatus.ACCEPTED).body(answer);
    }
    ConfigSchema created = await(tenantId, name, result.getVersion().intValue());
    return ResponseEntity.created(URI.create("/api/v1/schemas/" + schemaId)).eTag(Long.toString(created.getVersion()))
        .body(SchemaView.of(created));
  }

  @GetMapping
  Page<SchemaView> list(@RequestParam(required = false) String tenantId, @RequestParam(defaultValue = "0") int page,
                        @RequestParam(defaultValue = "50") int size) {
    if (tenantId == null) {
      throw Rejection.badRequest("missing-tenant", "tenantId is required: /api/v1/schemas?tenantId=acme", "tenantId");
    }
    scope.visibleTenant(TenantIds.require(tenantId));
    Page.check(page, size);
    return Page.of(catalog.latest(tenantId).stream().map(SchemaView::of).toList(), page, size);
  }

  @GetMapping("/{schemaId}")
  ResponseEntity<SchemaView> get(@PathVariable String schemaId) {
    StoreKeys.SchemaId id = visible(schemaId);
    List<ConfigSchema> versions = catalog.versions(id.tenantId(), id.name());
    if (versions.isEmpty()) {
      throw notFound(schemaId);
    }
    ConfigSchema latest = versions.get(versions.size() - 1);
    return ResponseEntity.ok().eTag(Integer.toString(latest.getVersion()))
        .body(SchemaView.of(latest).withVersions(versions.stream().map(ConfigSchema::getVersion).toList()));
  }

  @GetMapping("/{schemaId}/versions/{version}")
  SchemaView version(@PathVariable String schemaId, @PathVariable int version) {
    StoreKeys.SchemaId id = visible(schemaId);
    ConfigSchema s = catalog.version(id.tenantId(), id.name(), version);
    if (s == null) {
      throw Rejection.notFound("version-not-found", "schema '" + id.id() + "' has no version " + version, "version");
    }
    return SchemaView.of(s);
  }

  /** Dry run: would this value satisfy the schema (its latest version, or {@code version})? Nothing is stored. */
  @PostMapping("/{schemaId}/validate")
  Map<String, Object> validate(@PathVariable String schemaId, @RequestBody ValidateValue body, HttpServletRequest request,
                               HttpServletResponse response) {
    StoreKeys.SchemaId id = visible(schemaId);
    if (body == null || body.value() == null) {
      throw Rejection.badRequest("missing-value", "value is required: {\"value\": ...}", "value");
    }
    ConfigSchema s = body.version() == null ? latest(id) : catalog.version(id.tenantId(), id.name(), body.version());
    if (s == null) {
      throw Rejection.notFound("version-not-found", "schema '" + id.id() + "' has no version " + body.version(), "version");
    }
    return DryRun.report(s, body.value());
  }

  /** Approves the version of a schema that waits for approval (Admin only): it becomes the next version. */
  @PostMapping("/{schemaId}/approve")
  ResponseEntity<SchemaView> approve(@PathVariable String schemaId, HttpServletRequest request, HttpServletResponse response) {
    StoreKeys.SchemaId id = visible(schemaId);
    CommandResult result = decide(id, CommandType.SCHEMA_APPROVE, request, response);
    ConfigSchema approved = await(id.tenantId(), id.name(), result.getVersion().intValue());
    return ResponseEntity.ok().eTag(Integer.toString(approved.getVersion())).body(SchemaView.of(approved));
  }

  /** Rejects the version of a schema that waits for approval (Admin only): it is dropped, the schema stays as it is. */
  @PostMapping("/{schemaId}/reject")
  Map<String, Object> reject(@PathVariable String schemaId, HttpServletRequest request, HttpServletResponse response) {
    StoreKeys.SchemaId id = visible(schemaId);
    CommandResult result = decide(id, CommandType.SCHEMA_REJECT, request, response);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("schemaId", id.id());
    answer.put("status", "Rejected");
    answer.put("currentVersion", result.getVersion());
    return answer;
  }

  /** An Admin's decision on the held version of a schema; 404 when none is held. */
  private CommandResult decide(StoreKeys.SchemaId id, CommandType decision, HttpServletRequest request, HttpServletResponse response) {
    return writes.submit(Commands.envelope(decision, id.tenantId(), request, scope.subject())
        .setSchemaChange(SchemaPayload.newBuilder().setName(id.name()).build())
        .build());
  }

  private ConfigSchema latest(StoreKeys.SchemaId id) {
    List<ConfigSchema> versions = catalog.versions(id.tenantId(), id.name());
    if (versions.isEmpty()) {
      throw notFound(id.id());
    }
    return versions.get(versions.size() - 1);
  }

  private StoreKeys.SchemaId visible(String schemaId) {
    StoreKeys.SchemaId id = StoreKeys.parseSchemaId(schemaId);
    scope.require(id.tenantId(), notFound(schemaId));
    return id;
  }

  private static Rejection notFound(String schemaId) {
    return Rejection.notFound("schema-not-found", "No schema with id '" + Texts.abbreviate(schemaId) + "'", "schemaId");
  }

  /** Read-your-writes: the global store serves the version the write produced. */
  private ConfigSchema await(String tenant, String name, int version) {
    return Waits.until(() -> catalog.version(tenant, name, version), java.util.Objects::nonNull, readYourWritesWait,
        () -> "version " + version + " of schema '" + StoreKeys.schemaId(tenant, name) + "' is applied but not readable yet; retry shortly");
  }

  private static JsonNode schemaOf(RegisterSchema body) {
    if ((body.schema() == null || body.schema().isNull()) == (body.rules() == null || body.rules().isNull())) {
      throw Rejection.badRequest("missing-schema", "give either schema (a JSON Schema draft 2020-12) or rules "
          + "({\"type\": \"number\", \"min\": 1, \"max\": 100}), not both", "schema");
    }
    if (body.rules() != null && !body.rules().isNull()) {
      return ConfigSchemas.fromRules(body.rules());
    }
    JsonNode schema = body.schema();
    if (schema.isString()) {
      try {
        schema = Json.MAPPER.readTree(schema.asString());
      } catch (JacksonException e) {
        throw Rejection.unprocessable("invalid-schema", "schema is not valid JSON: " + e.getOriginalMessage(), "schema");
      }
    }
    ConfigSchemas.requireValidSchema(schema);
    return schema;
  }
}
