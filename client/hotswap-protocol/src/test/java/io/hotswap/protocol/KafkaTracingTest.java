package io.hotswap.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** How a trace crosses a topic: a hop continues the record's trace and hands its own span on; without a trace, no hop. */
class KafkaTracingTest {

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
      .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build();
  private final KafkaTracing tracing = KafkaTracing.of(otel);

  private static String traceparent(RecordHeaders headers) {
    return new String(headers.lastHeader(KafkaTracing.TRACEPARENT).value(), StandardCharsets.UTF_8);
  }

  @Test
  void shouldSendOnTheCallersTraceAndReceiveAsAChildThatHandsItsOwnSpanOn() {
    RecordHeaders headers = new RecordHeaders();
    Span request = otel.getTracer("test").spanBuilder("request").startSpan();
    try (Scope in = request.makeCurrent(); KafkaTracing.Hop sent = tracing.send("gateway CONFIG_UPDATE", headers, Map.of("hotswap.tenant", "acme"))) {
      sent.attribute("hotswap.outcome", "APPLIED");
    }
    request.end();
    SpanData gateway = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("gateway CONFIG_UPDATE")).findFirst().orElseThrow();
    assertThat(gateway.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(gateway.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
    assertThat(traceparent(headers)).startsWith("00-" + gateway.getTraceId() + "-" + gateway.getSpanId() + "-");
    assertThat(KafkaTracing.traceId(headers)).isEqualTo(gateway.getTraceId());

    try (KafkaTracing.Hop hop = tracing.receive("validation CONFIG_UPDATE", headers, Map.of())) {
      assertThat(KafkaTracing.currentTraceId()).isEqualTo(gateway.getTraceId());
      assertThat(KafkaTracing.currentSpanId()).isNotEqualTo(gateway.getSpanId());
      hop.failed(new IllegalStateException("refused"));
    }
    SpanData validation = spans.getFinishedSpanItems().stream().filter(s -> s.getName().startsWith("validation")).findFirst().orElseThrow();
    assertThat(validation.getParentSpanId()).isEqualTo(gateway.getSpanId());
    assertThat(validation.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
    // one traceparent on the record, now the validation span's: what the stage forwards continues from it
    assertThat(headers.headers(KafkaTracing.TRACEPARENT)).hasSize(1);
    assertThat(traceparent(headers)).contains(validation.getSpanId());
    assertThat(KafkaTracing.currentTraceId()).as("the hop's span is current only inside it").isNull();
  }

  @Test
  void shouldStartNoTraceForWorkOutsideOneAndPassHeadersOnUntouchedWhenOff() {
    RecordHeaders headers = new RecordHeaders();
    try (KafkaTracing.Hop hop = tracing.send("gateway PIPELINE_PROBE", headers, Map.of())) {
      hop.attribute("hotswap.outcome", "APPLIED");
    }
    try (KafkaTracing.Hop hop = tracing.receive("rollout PIPELINE_PROBE", headers, Map.of())) {
      assertThat(KafkaTracing.currentTraceId()).isNull();
    }
    assertThat(spans.getFinishedSpanItems()).isEmpty();
    assertThat(headers.toArray()).isEmpty();

    RecordHeaders traced = new RecordHeaders();
    traced.add(KafkaTracing.TRACEPARENT, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".getBytes(StandardCharsets.UTF_8));
    // off (no SDK): nothing recorded, but the record's trace is still the thread's while the hop lasts (logs name it)
    try (KafkaTracing.Hop hop = KafkaTracing.from(Map.of()).receive("rollout CONFIG_UPDATE", traced, Map.of())) {
      assertThat(KafkaTracing.currentTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }
    assertThat(spans.getFinishedSpanItems()).isEmpty();
    assertThat(traceparent(traced)).isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    try (KafkaTracing.Hop hop = KafkaTracing.from(Map.of(KafkaTracing.OPEN_TELEMETRY_CONFIG, otel)).receive("approval CONFIG_UPDATE", traced, Map.of())) {
      assertThat(KafkaTracing.currentTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }
    assertThat(spans.getFinishedSpanItems()).extracting(SpanData::getName).containsExactly("approval CONFIG_UPDATE");
    RecordHeaders garbage = new RecordHeaders();
    garbage.add(KafkaTracing.TRACEPARENT, "fuzz-1-2".getBytes(StandardCharsets.UTF_8));
    try (KafkaTracing.Hop hop = tracing.receive("rollout CONFIG_UPDATE", garbage, Map.of())) {
      assertThat(KafkaTracing.currentTraceId()).isNull();
    }
    assertThat(KafkaTracing.traceId(garbage)).isNull();
  }
}
