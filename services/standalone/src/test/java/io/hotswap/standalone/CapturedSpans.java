package io.hotswap.standalone;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Collects the spans of every service the tests start in this JVM in one place (Spring Boot adds
 * every {@link SpanExporter} bean to the service's OpenTelemetry SDK), so a test can read a whole
 * trace as a tracing backend would. Registered for tests only
 * ({@code src/test/resources/META-INF/spring/…AutoConfiguration.imports}).
 */
@AutoConfiguration
public class CapturedSpans {

  static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();

  /** Every span the services of this JVM ended. */
  static List<SpanData> all() {
    return SPANS.getFinishedSpanItems();
  }

  @Bean
  SpanExporter capturedSpans() {
    // a service that stops shuts its exporter down; the shared collection stays open for the rest
    return new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> spans) {
        return SPANS.export(spans);
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    };
  }
}
