package io.hotswap.core.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotswap.avro.ConfigSchema;
import io.hotswap.avro.ValueType;
import io.hotswap.core.domain.Rejection;
import io.hotswap.core.domain.SemVer;
import io.hotswap.core.json.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ConfigSchemasTest {

  static {
    io.hotswap.protocol.AvroSchemas.trustGeneratedClasses();
  }

  static final String DATABASE = """
      {"type": "object", "required": ["host", "port"],
       "properties": {"host": {"type": "string"}, "port": {"type": "integer", "minimum": 1, "maximum": 65535},
                      "pool": {"type": "object", "default": {}, "properties": {"size": {"type": "integer", "default": 10}}}}}""";

  static JsonNode json(String text) {
    return Json.MAPPER.readTree(text);
  }

  static Rejection rejection(Runnable r) {
    try {
      r.run();
    } catch (Rejection e) {
      return e;
    }
    throw new AssertionError("expected a rejection");
  }

  @Test
  void shouldNameEachViolationByItsJsonPointer() {
    List<String> errors = ConfigSchemas.validate(DATABASE, json("{\"port\": 70000, \"pool\": {\"size\": \"big\"}}"));
    assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("/host: "))
        .anySatisfy(e -> assertThat(e).startsWith("/port: ").contains("65535"))
        .anySatisfy(e -> assertThat(e).startsWith("/pool/size: "));
    assertThat(ConfigSchemas.validate(DATABASE, json("{\"host\": \"db\", \"port\": 5432}"))).isEmpty();
    assertThat(ConfigSchemas.validate("{\"type\": \"number\", \"maximum\": 10}", json("11"))).singleElement()
        .satisfies(e -> assertThat(e).startsWith("/: "));
  }

  @Test
  @org.junit.jupiter.api.Timeout(value = 60, unit = java.util.concurrent.TimeUnit.SECONDS) // a hang guard, not a speed check
  void shouldRejectAValueThatMakesAPatternBacktrackForeverAndKeepValidating() {
    // unbounded, the JDK engine backtracks exponentially on this pair: the back-reference turns off
    // its memoisation of nested quantifiers (27 a's took ~1.2 s on JDK 25; 40 a's, extrapolated, hours)
    String evil = "{\"type\": \"string\", \"pattern\": \"^(a+)+\\\\1$\"}";
    String value = "\"" + "a".repeat(40) + "!\"";
    assertThat(ConfigSchemas.validate(evil, json(value))).singleElement()
        .satisfies(e -> assertThat(e).startsWith("/: pattern '^(a+)+\\1$' did not finish within 100 ms"));
    // the same pattern still decides ordinary values, and so do patterns in properties
    assertThat(ConfigSchemas.validate(evil, json("\"aaaa\""))).isEmpty();
    assertThat(ConfigSchemas.validate(evil, json("\"aaa\""))).isEmpty();
    assertThat(ConfigSchemas.validate(evil, json("\"aab\""))).singleElement().satisfies(e -> assertThat(e).startsWith("/: "));
    String nested = "{\"type\": \"object\", \"properties\": {\"id\": {\"type\": \"string\", \"pattern\": \"^(a|a)+\\\\1$\"}},"
        + " \"patternProperties\": {\"^x-\": {\"type\": \"string\", \"pattern\": \"[0-9]$\"}}}";
    assertThat(ConfigSchemas.validate(nested, json("{\"id\": \"" + "a".repeat(40) + "!\"}"))).singleElement()
        .satisfies(e -> assertThat(e).contains("did not finish"));
    assertThat(ConfigSchemas.validate(nested, json("{\"id\": \"aa\", \"x-1\": \"v1\", \"x-2\": \"v\"}"))).singleElement()
        .satisfies(e -> assertThat(e).startsWith("/x-2: "));
    // the ECMA-262 dialect the library's own JDK engine speaks: \p{Letter} long forms and a $ that only ends the input
    assertThat(ConfigSchemas.validate("{\"type\": \"string\", \"pattern\": \"^\\\\p{Letter}+$\"}", json("\"abc\""))).isEmpty();
    assertThat(ConfigSchemas.validate("{\"type\": \"string\", \"pattern\": \"^a$\"}", json("\"a\\n\""))).hasSize(1);
  }

  @Test
  void shouldFillInDefaultsOfOmittedMembersWithoutChangingTheInput() {
    JsonNode value = json("{\"host\": \"db\", \"port\": 5432}");
    JsonNode filled = ConfigSchemas.applyDefaults(DATABASE, value);
    assertThat(filled.get("pool").get("size").asInt()).isEqualTo(10);
    assertThat(value.has("pool")).isFalse();
    JsonNode kept = ConfigSchemas.applyDefaults(DATABASE, json("{\"host\": \"db\", \"port\": 1, \"pool\": {\"size\": 3}}"));
    assertThat(kept.get("pool").get("size").asInt()).isEqualTo(3);
  }

  @Test
  void shouldTurnSeedRulesIntoASchema() {
    JsonNode schema = ConfigSchemas.fromRules(json("{\"type\": \"number\", \"min\": 1, \"max\": 100, \"default\": 10}"));
    assertThat(schema.get("type").asString()).isEqualTo("number");
    assertThat(schema.get("minimum").asInt()).isEqualTo(1);
    assertThat(schema.get("maximum").asInt()).isEqualTo(100);
    assertThat(schema.get("default").asInt()).isEqualTo(10);
    JsonNode text = ConfigSchemas.fromRules(json("{\"type\": \"string\", \"min\": 3, \"regex\": \"^[a-z]+$\", \"required\": false}"));
    assertThat(text.get("minLength").asInt()).isEqualTo(3);
    assertThat(text.get("type").toString()).isEqualTo("[\"string\",\"null\"]");
    String textSchema = Json.MAPPER.writeValueAsString(text);
    assertThat(ConfigSchemas.validate(textSchema, json("\"ab\""))).isNotEmpty();
    assertThat(ConfigSchemas.validate(textSchema, json("\"Abc\""))).isNotEmpty();
    assertThat(ConfigSchemas.validate(textSchema, json("null"))).isEmpty();
    assertThat(rejection(() -> ConfigSchemas.fromRules(json("{\"type\": \"number\", \"mni\": 1}"))).field()).isEqualTo("rules.mni");
    assertThat(rejection(() -> ConfigSchemas.fromRules(json("{\"type\": \"date\"}"))).field()).isEqualTo("rules.type");
    assertThat(rejection(() -> ConfigSchemas.fromRules(json("{\"regex\": \"(\"}"))).field()).isEqualTo("rules.regex");
  }

  @Test
  void shouldRefuseInvalidAndRemoteSchemas() {
    assertThat(rejection(() -> ConfigSchemas.parseSchema("{\"type\": \"strnig\"}")).type()).isEqualTo("invalid-schema");
    assertThat(rejection(() -> ConfigSchemas.parseSchema("{not json")).status()).isEqualTo(422);
    assertThat(rejection(() -> ConfigSchemas.parseSchema("[1]")).type()).isEqualTo("invalid-schema");
    Rejection remote = rejection(() -> ConfigSchemas.parseSchema("{\"properties\": {\"a\": {\"$ref\": \"https://example.invalid/s.json\"}}}"));
    assertThat(remote.errors()).singleElement().satisfies(e -> assertThat(e).startsWith("/properties/a/$ref: remote reference"));
    assertThat(rejection(() -> ConfigSchemas.parseSchema("{\"$schema\": \"http://json-schema.org/draft-04/schema#\"}")).detail())
        .contains("2020-12");
    assertThat(ConfigSchemas.parseSchema("{\"$defs\": {\"p\": {\"type\": \"integer\"}}, \"properties\": {\"a\": {\"$ref\": \"#/$defs/p\"}}}")
        .isObject()).isTrue();
  }

  @Test
  void shouldPickTheMostSpecificPatternForAKey() {
    assertThat(ConfigSchemas.matches("database.*", "database.primary.host")).isTrue();
    assertThat(ConfigSchemas.matches("database.*", "databases")).isFalse();
    assertThat(ConfigSchemas.matches("*.timeout", "http.timeout")).isTrue();
    assertThat(ConfigSchemas.matches("a.b", "a.b")).isTrue();
    assertThat(ConfigSchemas.matches("a.b", "aXb")).isFalse();
    assertThat(ConfigSchemas.matches("*", "anything.at.all")).isTrue();
    assertThat(ConfigSchemas.matches("a*b*c", "a.x.b.y.c")).isTrue();
    assertThat(ConfigSchemas.matches("a*b*c", "a.c.b")).isFalse();
    assertThat(ConfigSchemas.matches("ab*ba", "aba")).as("prefix and suffix may not overlap").isFalse();
    assertThat(ConfigSchemas.matches("db.*.port", "db.primary.port")).isTrue();
    assertThat(ConfigSchemas.matches("db.*.port", "db.primary.host")).isFalse();
    ConfigSchema broad = schema("broad", "database.*");
    ConfigSchema narrow = schema("narrow", "database.primary.*");
    ConfigSchema exact = schema("exact", "database.primary.port");
    List<ConfigSchema> all = List.of(broad, narrow, exact);
    assertThat(ConfigSchemas.governing(all, "database.replica.port").getName()).isEqualTo("broad");
    assertThat(ConfigSchemas.governing(all, "database.primary.host").getName()).isEqualTo("narrow");
    assertThat(ConfigSchemas.governing(all, "database.primary.port").getName()).isEqualTo("exact");
    assertThat(ConfigSchemas.governing(all, "cache.size")).isNull();
    assertThat(rejection(() -> ConfigSchemas.requireKeyPattern("data base")).field()).isEqualTo("keyPattern");
    assertThat(rejection(() -> ConfigSchemas.requireName("Bad_Name", "name")).field()).isEqualTo("name");
  }

  @Test
  void shouldSeeTypedValuesAsJsonInstances() {
    assertThat(ConfigSchemas.instance(ValueType.NUMBER, "1.5").isNumber()).isTrue();
    assertThat(ConfigSchemas.instance(ValueType.BOOLEAN, "true").asBoolean()).isTrue();
    assertThat(ConfigSchemas.instance(ValueType.STRING, "x").isString()).isTrue();
    assertThat(ConfigSchemas.instance(ValueType.JSON, "{\"a\": 1}").get("a").asInt()).isEqualTo(1);
    assertThat(ConfigSchemas.instance(ValueType.STRING, null).isNull()).isTrue();
  }

  @Test
  void shouldOrderSemanticVersionsNumerically() {
    SemVer a = SemVer.parse("1.9.0", "version");
    SemVer b = SemVer.parse("1.10.0", "version");
    assertThat(a).isLessThan(b);
    assertThat(a.sortable().compareTo(b.sortable())).isNegative();
    assertThat(SemVer.fromSortable(b.sortable())).isEqualTo(b);
    assertThat(a.nextPatch().toString()).isEqualTo("1.9.1");
    for (String bad : new String[] {"1.0", "01.0.0", "1.0.0-beta", "v1.0.0", ""}) {
      assertThatThrownBy(() -> SemVer.parse(bad, "version")).isInstanceOf(Rejection.class);
    }
  }

  static ConfigSchema schema(String name, String pattern) {
    return ConfigSchema.newBuilder().setSchemaId("t:" + name).setTenantId("t").setName(name).setVersion(1).setKeyPattern(pattern)
        .setSchemaJson("{}").setCreatedAt(Instant.EPOCH).setCreatedBy("x").setCommandId("c").build();
  }
}
