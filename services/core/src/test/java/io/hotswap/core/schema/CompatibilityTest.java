package io.hotswap.core.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotswap.core.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class CompatibilityTest {

  static List<String> breaks(String before, String after, io.hotswap.avro.Compatibility mode) {
    JsonNode a = Json.MAPPER.readTree(before);
    JsonNode b = Json.MAPPER.readTree(after);
    return Compatibility.breakingChanges(a, b, mode);
  }

  static final String V1 = """
      {"type": "object", "properties": {"host": {"type": "string"}, "port": {"type": "integer", "minimum": 1, "maximum": 65535},
       "mode": {"enum": ["a", "b"]}}, "required": ["host"]}""";

  @Test
  void shouldAcceptWideningUnderBackward() {
    String wider = """
        {"type": "object", "properties": {"host": {"type": "string"}, "port": {"type": "number", "minimum": 0},
         "mode": {"enum": ["a", "b", "c"]}, "tls": {"type": "boolean"}}}""";
    assertThat(breaks(V1, wider, io.hotswap.avro.Compatibility.BACKWARD)).isEmpty();
  }

  @Test
  void shouldListEveryNarrowingUnderBackward() {
    String narrower = """
        {"type": "object", "additionalProperties": false,
         "properties": {"host": {"type": "string", "pattern": "^db"}, "port": {"type": "integer", "minimum": 1, "maximum": 1024},
         "mode": {"enum": ["a"]}}, "required": ["host", "port"]}""";
    assertThat(breaks(V1, narrower, io.hotswap.avro.Compatibility.BACKWARD)).containsExactlyInAnyOrder(
        "/properties/port/maximum: lowered from 65535 to 1024",
        "/properties/host/pattern: added \"^db\"",
        "/properties/mode/enum: value \"b\" was removed",
        "/required: member 'port' is now required",
        "/additionalProperties: members not listed in properties are no longer allowed");
    assertThat(breaks("{\"type\": \"number\"}", "{\"type\": \"integer\"}", io.hotswap.avro.Compatibility.BACKWARD))
        .containsExactly("/type: no longer accepts number (was number, now integer)");
    assertThat(breaks("{\"type\": \"array\", \"items\": {\"type\": \"string\"}}", "{\"type\": \"array\", \"items\": {\"type\": \"string\", \"maxLength\": 3}}",
        io.hotswap.avro.Compatibility.BACKWARD)).containsExactly("/items/maxLength: lowered from none to 3");
    assertThat(breaks("{}", "{\"type\": \"string\"}", io.hotswap.avro.Compatibility.BACKWARD)).isNotEmpty();
    assertThat(breaks("{}", "false", io.hotswap.avro.Compatibility.BACKWARD)).isNotEmpty();
  }

  @Test
  void shouldCheckTheOtherWayUnderForwardAndBothUnderFull() {
    String wider = "{\"type\": \"integer\", \"maximum\": 100}";
    String narrow = "{\"type\": \"integer\", \"maximum\": 10}";
    assertThat(breaks(narrow, wider, io.hotswap.avro.Compatibility.BACKWARD)).isEmpty();
    assertThat(breaks(narrow, wider, io.hotswap.avro.Compatibility.FORWARD)).containsExactly("forward: /maximum: lowered from 100 to 10");
    assertThat(breaks(narrow, wider, io.hotswap.avro.Compatibility.FULL)).hasSize(1);
    assertThat(breaks(wider, narrow, io.hotswap.avro.Compatibility.FULL)).hasSize(1);
    assertThat(breaks(wider, narrow, io.hotswap.avro.Compatibility.NONE)).isEmpty();
    assertThat(breaks(V1, V1, io.hotswap.avro.Compatibility.FULL)).isEmpty();
  }
}
