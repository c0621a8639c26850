package io.hotswap.core.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

class JsonDiffPropertiesTest {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  @Property(tries = 500)
  void diffOfAAndBAppliedToAGivesB(@ForAll("json") JsonNode a, @ForAll("json") JsonNode b) {
    assertThat(JsonDiff.apply(a, JsonDiff.diff(a, b))).isEqualTo(b);
  }

  @Property(tries = 200)
  void aDocumentHasNoDiffWithItself(@ForAll("json") JsonNode a) {
    assertThat(JsonDiff.diff(a, a.deepCopy())).isEmpty();
  }

  @Example
  void shouldNameEachChangeByItsJsonPointer() {
    JsonNode a = Json.MAPPER.readTree("{\"pool\":{\"max\":10,\"min\":1},\"hosts\":[\"a\",\"b\"],\"a/b\":1}");
    JsonNode b = Json.MAPPER.readTree("{\"pool\":{\"max\":20},\"hosts\":[\"a\"],\"a/b\":1,\"tls\":true}");
    assertThat(JsonDiff.diff(a, b)).containsExactly(
        new JsonDiff.Change(JsonDiff.Op.CHANGED, "/pool/max", F.numberNode(10), F.numberNode(20)),
        new JsonDiff.Change(JsonDiff.Op.REMOVED, "/pool/min", F.numberNode(1), null),
        new JsonDiff.Change(JsonDiff.Op.REMOVED, "/hosts/1", F.stringNode("b"), null),
        new JsonDiff.Change(JsonDiff.Op.ADDED, "/tls", null, F.booleanNode(true)));
    assertThat(JsonDiff.diff(Json.MAPPER.readTree("{\"a/b\":1}"), Json.MAPPER.readTree("{\"a/b\":2}")))
        .extracting(JsonDiff.Change::path).containsExactly("/a~1b");
    assertThat(JsonDiff.diffText("1", "2")).singleElement().satisfies(c -> assertThat(c.path()).isEmpty());
    assertThat(JsonDiff.diffText("same", "same")).isEmpty();
  }

  @Provide
  Arbitrary<JsonNode> json() {
    return node(3);
  }

  private Arbitrary<JsonNode> node(int depth) {
    Arbitrary<JsonNode> scalar = Arbitraries.oneOf(
        Arbitraries.integers().between(-3, 3).map(i -> (JsonNode) F.numberNode(i)),
        Arbitraries.strings().withChars("ab~/").ofMaxLength(3).map(s -> (JsonNode) F.stringNode(s)),
        Arbitraries.of(true, false).map(v -> (JsonNode) F.booleanNode(v)),
        Arbitraries.just((JsonNode) F.nullNode()));
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<JsonNode> array = node(depth - 1).list().ofMaxSize(4).map(JsonDiffPropertiesTest::array);
    Arbitrary<JsonNode> object = Arbitraries.maps(Arbitraries.of("a", "b", "c", "x/y", "t~1"), node(depth - 1)).ofMaxSize(4)
        .map(m -> {
          ObjectNode o = F.objectNode();
          m.forEach(o::set);
          return (JsonNode) o;
        });
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, scalar), net.jqwik.api.Tuple.of(2, array), net.jqwik.api.Tuple.of(2, object));
  }

  private static JsonNode array(List<JsonNode> items) {
    ArrayNode a = F.arrayNode();
    items.forEach(a::add);
    return a;
  }
}
