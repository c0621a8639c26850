package io.hotswap.protocol;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * How one trace follows a change from the REST request through the topics to the client that
 * applies it: each hop (the gateway sending the command; validation, approval and rollout
 * judging it; a client applying the live record) is a span, child of the span whose W3C
 * {@code traceparent} the record carries in its headers, and writes its own {@code traceparent}
 * into the headers of what it sends on. Kafka Streams copies a record's headers to the records a
 * processor forwards, so a stage's output carries the stage's span.
 *
 * <p>Hops only continue a trace: a record without {@code traceparent} (a readiness probe, a
 * scheduled step of a deployment) starts none, so background work does not flood the tracing
 * backend with one-span traces. Without an OpenTelemetry SDK (the API's no-op) nothing is
 * recorded and headers still pass through untouched.
 */
public final class KafkaTracing {

  /** The key under which a service hands its {@link OpenTelemetry} to its stream processors (Kafka Streams' app configs). */
  public static final String OPEN_TELEMETRY_CONFIG = "hotswap.tracing.open-telemetry";
  /** The W3C trace context header. */
  public static final String TRACEPARENT = "traceparent";
  /** Off: no spans, headers untouched. */
  public static final KafkaTracing NONE = new KafkaTracing(OpenTelemetry.noop());

  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
  private static final TextMapGetter<Headers> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Headers headers) {
      return StreamSupport.stream(headers.spliterator(), false).map(Header::key).toList();
    }

    @Override
    public String get(Headers headers, String key) {
      Header h = headers == null ? null : headers.lastHeader(key);
      return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
  };
  private static final TextMapSetter<Headers> SETTER = (headers, key, value) -> {
    headers.remove(key);
    headers.add(key, value.getBytes(StandardCharsets.UTF_8));
  };

  private final Tracer tracer;

  private KafkaTracing(OpenTelemetry openTelemetry) {
    this.tracer = openTelemetry.getTracer("io.hotswap");
  }

  public static KafkaTracing of(OpenTelemetry openTelemetry) {
    return openTelemetry == null ? NONE : new KafkaTracing(openTelemetry);
  }

  /** The tracing a stream processor's service handed it in its app configs ({@link #OPEN_TELEMETRY_CONFIG}); off when none. */
  public static KafkaTracing from(Map<String, ?> appConfigs) {
    return appConfigs != null && appConfigs.get(OPEN_TELEMETRY_CONFIG) instanceof OpenTelemetry otel ? of(otel) : NONE;
  }

  /**
   * Sends on the trace the calling thread is in (the gateway's HTTP request): a producer span,
   * child of the current span, whose {@code traceparent} goes into {@code headers}. No current
   * trace: no span, headers untouched.
   */
  public Hop send(String name, Headers headers, Map<String, String> attributes) {
    Context parent = Context.current();
    if (!Span.fromContext(parent).getSpanContext().isValid()) {
      return Hop.NONE;
    }
    return start(name, SpanKind.PRODUCER, parent, headers, attributes);
  }

  /**
   * Receives a record: a consumer span, child of the record's {@code traceparent}, current on the
   * calling thread until the hop closes; the record's headers then carry this span's
   * {@code traceparent} (what a stream processor forwards carries it on). No
   * {@code traceparent}: no span.
   */
  public Hop receive(String name, Headers headers, Map<String, String> attributes) {
    if (headers == null || headers.lastHeader(TRACEPARENT) == null) {
      return Hop.NONE;
    }
    Context parent = W3C.extract(Context.root(), headers, GETTER);
    if (!Span.fromContext(parent).getSpanContext().isValid()) {
      return Hop.NONE;
    }
    return start(name, SpanKind.CONSUMER, parent, headers, attributes);
  }

  private Hop start(String name, SpanKind kind, Context parent, Headers headers, Map<String, String> attributes) {
    var builder = tracer.spanBuilder(name).setSpanKind(kind).setParent(parent).setAttribute("messaging.system", "kafka");
    attributes.forEach((k, v) -> {
      if (v != null) {
        builder.setAttribute(k, v);
      }
    });
    Span span = builder.startSpan();
    Context context = parent.with(span);
    if (span.getSpanContext().isValid()) {
      W3C.inject(context, headers, SETTER);
    }
    return new Hop(span, context.makeCurrent());
  }

  /** The trace id (32 hex digits) of the calling thread's current span; null outside a trace. */
  public static String currentTraceId() {
    SpanContext c = Span.current().getSpanContext();
    return c.isValid() ? c.getTraceId() : null;
  }

  /** The span id (16 hex digits) of the calling thread's current span; null outside a trace. */
  public static String currentSpanId() {
    SpanContext c = Span.current().getSpanContext();
    return c.isValid() ? c.getSpanId() : null;
  }

  /** The trace id a record's {@code traceparent} names; null without one. */
  public static String traceId(Headers headers) {
    SpanContext c = Span.fromContext(W3C.extract(Context.root(), headers, GETTER)).getSpanContext();
    return c.isValid() ? c.getTraceId() : null;
  }

  /** One hop's span, current until closed; close ends it. */
  public static final class Hop implements AutoCloseable {
    static final Hop NONE = new Hop(Span.getInvalid(), Scope.noop());
    private final Span span;
    private final Scope scope;

    private Hop(Span span, Scope scope) {
      this.span = span;
      this.scope = scope;
    }

    /** Marks the span failed with what was thrown. */
    public void failed(Throwable t) {
      span.recordException(t);
      span.setStatus(StatusCode.ERROR, String.valueOf(t.getMessage()));
    }

    /** Adds an attribute known only after the hop's work (the outcome). */
    public void attribute(String key, String value) {
      if (value != null) {
        span.setAttribute(key, value);
      }
    }

    @Override
    public void close() {
      scope.close();
      span.end();
    }
  }
}
