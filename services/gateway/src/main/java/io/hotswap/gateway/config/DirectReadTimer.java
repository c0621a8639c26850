package io.hotswap.gateway.config;

import io.micrometer.common.KeyValue;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationFilter;
import io.micrometer.observation.ObservationPredicate;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.http.server.observation.ServerRequestObservationConvention;

/**
 * Counts the reads the direct path answers in the very timer Spring's HTTP observation records
 * them in ({@code http.server.requests}, tagged with the endpoint's pattern), without the
 * observation itself: per read, the observation and its trace context were a third of the request
 * threads' garbage (load-tests/RESULTS.md), and a read that starts no trace needs neither.
 *
 * <p>The tags are the observation's own: the configured convention's key values for a 200 of this
 * endpoint, mapped by the application's observation filters (common key values), plus the
 * {@code error} tag Micrometer's meter handler adds — worked out once, from the first read
 * served, so dashboards see one series whichever way a read went. An observation switched off
 * ({@code management.observations.enable.*}, any observation predicate) records nothing here either.
 */
final class DirectReadTimer {

  private final MeterRegistry meters;
  private final ServerRequestObservationConvention convention;
  private final List<ObservationFilter> filters;
  private final List<ObservationPredicate> predicates;
  private final String pathPattern;
  /** Resolved on the first read (a context needs a request); a race resolves the same meter twice, harmlessly. */
  private volatile Timer timer;
  private volatile boolean off;

  DirectReadTimer(MeterRegistry meters, ServerRequestObservationConvention convention, List<ObservationFilter> filters,
                  List<ObservationPredicate> predicates, String pathPattern) {
    this.meters = meters;
    this.convention = convention;
    this.filters = List.copyOf(filters);
    this.predicates = List.copyOf(predicates);
    this.pathPattern = pathPattern;
  }

  /** Records one answered read (its status set) that took {@code nanos}. */
  void record(HttpServletRequest request, HttpServletResponse response, long nanos) {
    Timer t = timer;
    if (t == null) {
      if (off) {
        return;
      }
      t = resolve(request, response);
      if (t == null) {
        off = true;
        return;
      }
      timer = t;
    }
    t.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  private Timer resolve(HttpServletRequest request, HttpServletResponse response) {
    ServerRequestObservationContext context = new ServerRequestObservationContext(request, response);
    context.setPathPattern(pathPattern);
    String name = convention.getName();
    context.setName(name);
    for (ObservationPredicate predicate : predicates) {
      if (!predicate.test(name, context)) {
        return null;
      }
    }
    context.addLowCardinalityKeyValues(convention.getLowCardinalityKeyValues(context));
    Observation.Context mapped = context;
    for (ObservationFilter filter : filters) {
      mapped = filter.map(mapped);
    }
    List<Tag> tags = new ArrayList<>();
    for (KeyValue kv : mapped.getLowCardinalityKeyValues()) {
      tags.add(Tag.of(kv.getKey(), kv.getValue()));
    }
    tags.add(Tag.of("error", "none"));
    return Timer.builder(mapped.getName()).tags(tags).register(meters);
  }
}
