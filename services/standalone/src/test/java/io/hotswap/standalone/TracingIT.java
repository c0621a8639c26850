package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * One change, one trace: the REST request, the gateway sending the command, validation and rollout
 * judging it (approval too when the change is held for approvers), and a running client applying it
 * — each a span, each the child of the one before, linked through W3C {@code traceparent} headers
 * on the topics — and the audit trail records the trace's id. Spans are read as a tracing backend would get them (every service's
 * exporter, and the client's, feed {@link CapturedSpans}).
 */
class TracingIT extends PlatformTest {

  private static List<SpanData> trace(String traceId) {
    return CapturedSpans.all().stream().filter(s -> s.getTraceId().equals(traceId))
        .sorted(Comparator.comparingLong(SpanData::getStartEpochNanos)).toList();
  }

  private static SpanData named(List<SpanData> spans, String name) {
    return spans.stream().filter(s -> s.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no span '" + name + "' in " + spans.stream().map(SpanData::getName).toList()));
  }

  /** Waits for the hops in the caller's trace; each is the child of the one before, in that order. */
  private static List<SpanData> followed(String traceId, String callerSpanId, List<String> hops) {
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(trace(traceId)).extracting(SpanData::getName).containsAll(hops));
    List<SpanData> spans = trace(traceId);
    SpanData server = spans.stream().filter(s -> s.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
    assertThat(server.getParentSpanId()).as("the caller's span is the request's parent").isEqualTo(callerSpanId);
    SpanData parent = server;
    for (String hop : hops) {
      SpanData span = named(spans, hop);
      assertThat(span.getParentSpanId()).as(hop + " is a child of " + parent.getName()).isEqualTo(parent.getSpanId());
      assertThat(span.getStartEpochNanos()).as(hop + " starts after " + parent.getName()).isGreaterThanOrEqualTo(parent.getStartEpochNanos());
      parent = span;
    }
    return spans;
  }

  @Test
  void shouldFollowAChangeFromTheRestCallerThroughEveryStageToTheClientThatAppliesIt() throws Exception {
    createTenant("it-trace");
    assertThat(api.post("/api/v1/configs", config("it-trace", "feature.traced", 1, "Number")).status()).isEqualTo(201);
    // the client reports its apply to the same collection, through its own OpenTelemetry SDK
    OpenTelemetrySdk clientTelemetry = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
        .addSpanProcessor(SimpleSpanProcessor.create(new CapturedSpans().capturedSpans())).build()).build();
    AtomicReference<String> seenInListener = new AtomicReference<>();
    try (io.hotswap.client.HotSwapClient client = io.hotswap.client.HotSwapClient.builder().bootstrapServers(bootstrap)
        .environment("development").tenant("it-trace").instanceId("it-trace-1").service("traced").openTelemetry(clientTelemetry)
        .build().start()) {
      client.ready().get(60, TimeUnit.SECONDS);
      // a listener runs inside the apply span: its own spans and logs belong to the change's trace
      client.subscribe(io.hotswap.client.Selector.key("it-trace", "feature.traced"),
          change -> seenInListener.set(io.hotswap.protocol.KafkaTracing.currentTraceId()));

      // the caller's trace: W3C traceparent on the request
      String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
      Api.Response put = api.put("/api/v1/configs/it-trace:development:feature.traced", Map.of("value", 2),
          Map.of("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01"));
      assertThat(put.status()).as(put.text()).isEqualTo(200);

      // a change no approver holds goes from validation straight to rollout
      List<SpanData> spans = followed(traceId, "00f067aa0ba902b7",
          List.of("gateway CONFIG_UPDATE", "validation CONFIG_UPDATE", "rollout CONFIG_UPDATE", "client apply"));
      assertThat(spans).extracting(SpanData::getName).doesNotContain("approval CONFIG_UPDATE");
      assertThat(named(spans, "rollout CONFIG_UPDATE").getAttributes().asMap().toString()).contains("it-trace");
      assertThat(named(spans, "client apply").getAttributes().asMap().toString()).contains("feature.traced", "development", "it-trace-1");
      assertThat(seenInListener.get()).isEqualTo(traceId);

      // the trail names the trace
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        JsonNode trail = api.get("/api/v1/audit-logs?tenantId=it-trace").json();
        List<String> updates = new java.util.ArrayList<>();
        trail.get("items").forEach(e -> {
          if (e.get("eventType").asString().equals("CONFIG_UPDATED")) {
            updates.add(e.get("traceId").asString());
          }
        });
        assertThat(updates).containsExactly(traceId);
      });
    }

    // a change into a guarded environment: approval's span is where the trace stops until approvers answer
    String heldTrace = "0af7651916cd43dd8448eb211c80319c";
    Api.Response held = api.post("/api/v1/configs", Map.of("tenantId", "it-trace", "key", "feature.held", "value", 1, "type", "Number",
        "environment", "staging"), Map.of("traceparent", "00-" + heldTrace + "-b7ad6b7169203331-01"));
    assertThat(held.status()).as(held.text()).isEqualTo(202);
    List<SpanData> heldSpans = followed(heldTrace, "b7ad6b7169203331",
        List.of("gateway CONFIG_CREATE", "validation CONFIG_CREATE", "approval CONFIG_CREATE"));
    assertThat(heldSpans).extracting(SpanData::getName).doesNotContain("rollout CONFIG_CREATE");

    // a caller without a trace: the gateway begins one, and the trail names that one
    Api.Response create = api.post("/api/v1/configs", config("it-trace", "feature.untraced", true, "Boolean"));
    assertThat(create.status()).isEqualTo(201);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode trail = api.get("/api/v1/audit-logs?tenantId=it-trace").json();
      String recorded = null;
      for (JsonNode e : trail.get("items")) {
        if (e.path("key").asString().equals("feature.untraced")) {
          recorded = e.get("traceId").asString();
        }
      }
      assertThat(recorded).matches("[0-9a-f]{32}");
      assertThat(trace(recorded)).extracting(SpanData::getName).contains("gateway CONFIG_CREATE", "rollout CONFIG_CREATE");
    });
  }
}
