package io.hotswap.standalone;

import io.opentelemetry.sdk.common.CompletableResultCode;
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

  /** The most recent spans: every request of the suite is traced, and a test reads only its own, just made. */
  private static final int KEPT = 50_000;
  private static final java.util.concurrent.ConcurrentLinkedDeque<SpanData> SPANS = new java.util.concurrent.ConcurrentLinkedDeque<>();
  private static final java.util.concurrent.atomic.AtomicInteger SIZE = new java.util.concurrent.atomic.AtomicInteger();

  /** The spans the services of this JVM ended lately. */
  static List<SpanData> all() {
    return List.copyOf(SPANS);
  }

  @Bean
  SpanExporter capturedSpans() {
    // a service that stops shuts its exporter down; the shared collection stays open for the rest
    return new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> spans) {
        SPANS.addAll(spans);
        for (int over = SIZE.addAndGet(spans.size()) - KEPT; over > 0 && SPANS.pollFirst() != null; over--) {
          SIZE.decrementAndGet();
        }
        return CompletableResultCode.ofSuccess();
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
