package io.hotswap.rollout;

import io.hotswap.avro.AppliedVersion;
import io.hotswap.avro.HealthReport;
import io.hotswap.avro.HealthReportKind;
import io.hotswap.avro.InstanceState;
import io.hotswap.avro.InstanceStatus;
import io.hotswap.avro.ServiceInstance;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The registry of running instances (what each holds and how it is doing): heartbeats from {@code
 * hotswap.instances.v1} and reports from {@code hotswap.health.v1} update one store keyed by
 * instance id; every change of an instance's view goes to {@code hotswap.instance-registry.v1}. A
 * wall-clock punctuator re-rates every instance: Unhealthy after two missed heartbeat periods,
 * removed (tombstones on both topics) after {@link Policy#evictAfter()}.
 */
final class InstanceRegistry {

  /** Store of InstanceState by instance id. */
  static final String STORE = "rollout-instances-store";

  /**
   * The registry's limits.
   *
   * @param checkPeriod how often the punctuator re-rates instances
   * @param evictAfter no heartbeat for this long: removed
   * @param degradedErrorRate errors / requests in the last report at or above this: Degraded
   * @param degradedP99Ms p99 latency of the last report above this: Degraded
   */
  record Policy(Duration checkPeriod, Duration evictAfter, double degradedErrorRate, double degradedP99Ms) {
    static final Policy DEFAULT = new Policy(Duration.ofSeconds(5), Duration.ofMinutes(2), 0.05, 1000);
  }

  private InstanceRegistry() {}

  /** The status an instance has at {@code now}: pure, so the rules are tested without Kafka. */
  static InstanceStatus status(InstanceState s, Instant now, Policy policy) {
    long period = Math.max(1, s.getInstance().getHeartbeatPeriodMs());
    if (Duration.between(s.getLastHeartbeatAt(), now).toMillis() > 2 * period) {
      return InstanceStatus.UNHEALTHY;
    }
    if (s.getRequests() > 0 && (double) s.getErrors() / s.getRequests() >= policy.degradedErrorRate()) {
      return InstanceStatus.DEGRADED;
    }
    if (s.getP99Ms() != null && s.getP99Ms() > policy.degradedP99Ms()) {
      return InstanceStatus.DEGRADED;
    }
    return InstanceStatus.HEALTHY;
  }

  static boolean evictable(InstanceState s, Instant now, Policy policy) {
    return Duration.between(s.getLastHeartbeatAt(), now).compareTo(policy.evictAfter()) > 0;
  }

  /** A heartbeat (or a tombstone: deregistered). Returns the new view, or null when removed; unchanged when stale. */
  static InstanceState heartbeat(InstanceState before, ServiceInstance beat, Instant now, Policy policy) {
    if (beat == null) {
      return null;
    }
    if (Duration.between(beat.getSentAt(), now).compareTo(policy.evictAfter()) > 0) {
      return before; // a heartbeat older than the eviction limit (a replay): not a sign of life
    }
    InstanceState.Builder next = before == null
        ? InstanceState.newBuilder().setRegisteredAt(now).setApplied(new HashMap<>()).setStatus(InstanceStatus.HEALTHY)
        : InstanceState.newBuilder(before);
    InstanceState s = next.setInstance(beat).setLastHeartbeatAt(now).build();
    s.setStatus(status(s, now, policy));
    return s;
  }

  /** A health report; null before when the instance isn't registered (ignored). */
  static InstanceState report(InstanceState before, HealthReport report, Instant now, Policy policy) {
    if (before == null || report == null) {
      return before;
    }
    InstanceState s = InstanceState.newBuilder(before).build();
    if (report.getKind() == HealthReportKind.APPLIED && report.getTenantId() != null && report.getKey() != null) {
      Map<String, AppliedVersion> applied = new HashMap<>(s.getApplied());
      String key = report.getTenantId() + '|' + report.getKey();
      AppliedVersion held = applied.get(key);
      AppliedVersion next = applied(report, report.getVersion(), report.getApplyMicros(), report.getArm());
      if (report.getApplyError() != null || held == null || !java.util.Objects.equals(held.getVersion(), report.getVersion())) {
        next.setApplyError(report.getApplyError() == null ? null : report.getApplyError().substring(0, Math.min(500, report.getApplyError().length())));
      } else if (held.getApplyError() != null) {
        // the failure of a listener and the report of the apply travel separately: the version's
        // failure stays until another version is applied
        next.setApplyError(held.getApplyError());
        next.setAppliedAt(held.getAppliedAt());
      }
      applied.put(key, next);
      s.setApplied(applied);
    } else if (report.getKind() == HealthReportKind.LOADED) {
      // what the instance holds after catching up is the whole truth: versions it held before a
      // restart and no longer holds (deleted meanwhile) go
      Map<String, AppliedVersion> applied = new HashMap<>();
      // the arms of values served off the stable arm are listed; every other value is served stable
      report.getLoaded().forEach((key, version) -> {
        AppliedVersion next = applied(report, version, null, report.getLoadedArms().getOrDefault(key, "stable"));
        AppliedVersion held = s.getApplied().get(key);
        if (held != null && java.util.Objects.equals(held.getVersion(), version)) {
          // a version it already reported (the client repeats its LOADED report a heartbeat after
          // starting): when and how it was applied stay, a listener's failure included
          next.setAppliedAt(held.getAppliedAt());
          next.setApplyMicros(held.getApplyMicros());
          next.setApplyError(held.getApplyError());
        }
        applied.put(key, next);
      });
      s.setApplied(applied);
    } else if (report.getKind() == HealthReportKind.HEALTH) {
      s.setRequests(report.getRequests());
      s.setErrors(report.getErrors());
      s.setP99Ms(report.getP99Ms());
      s.setLastReportAt(report.getReportedAt());
    }
    s.setStatus(status(s, now, policy));
    return s;
  }

  private static AppliedVersion applied(HealthReport report, Long version, Long applyMicros, String arm) {
    return AppliedVersion.newBuilder().setVersion(version).setAppliedAt(report.getReportedAt()).setApplyMicros(applyMicros).setArm(arm)
        .build();
  }

  /** How one input changes an instance's view: null result = removed, the same object = no change. */
  @FunctionalInterface
  interface Update<V> {
    InstanceState apply(InstanceState before, V input, Instant now, Policy policy);
  }

  /**
   * Applies one input topic's records to the store with its {@link Update} and forwards every
   * changed view (null: removed). The heartbeats' processor also owns the punctuator that re-rates
   * and evicts.
   */
  static final class Updates<V> implements Processor<String, V, String, Object> {
    private final Policy policy;
    private final Update<V> update;
    private final boolean rates;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, InstanceState> store;

    private Updates(Policy policy, Update<V> update, boolean rates) {
      this.policy = policy;
      this.update = update;
      this.rates = rates;
    }

    /** Heartbeats and deregistrations from hotswap.instances.v1; re-rates and evicts on the wall clock. */
    static Updates<ServiceInstance> heartbeats(Policy policy) {
      return new Updates<>(policy, InstanceRegistry::heartbeat, true);
    }

    /** Applied changes and request health from hotswap.health.v1. */
    static Updates<HealthReport> reports(Policy policy) {
      return reports(policy, RolloutMetrics.NONE);
    }

    /** Applied changes and request health from hotswap.health.v1, each applied change measured. */
    static Updates<HealthReport> reports(Policy policy, RolloutMetrics metrics) {
      return new Updates<>(policy, (before, report, now, p) -> {
        metrics.reported(report);
        return report(before, report, now, p);
      }, false);
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
      this.context = context;
      this.store = context.getStateStore(STORE);
      if (rates) {
        context.schedule(policy.checkPeriod(), PunctuationType.WALL_CLOCK_TIME, this::rate);
      }
    }

    @Override
    public void process(Record<String, V> record) {
      if (record.key() == null) {
        return;
      }
      InstanceState before = store.get(record.key());
      InstanceState after = update.apply(before, record.value(), Instant.ofEpochMilli(context.currentSystemTimeMs()), policy);
      if (after == before) {
        return;
      }
      if (after == null) {
        store.delete(record.key());
      } else {
        store.put(record.key(), after);
      }
      context.forward(new Record<>(record.key(), after, record.timestamp()));
    }

    private void rate(long wallClock) {
      Instant now = Instant.ofEpochMilli(wallClock);
      List<KeyValue<String, InstanceState>> all = new java.util.ArrayList<>();
      try (KeyValueIterator<String, InstanceState> it = store.all()) {
        it.forEachRemaining(all::add);
      }
      for (KeyValue<String, InstanceState> kv : all) {
        InstanceState s = kv.value;
        if (evictable(s, now, policy)) {
          store.delete(kv.key);
          context.forward(new Record<>(kv.key, null, wallClock));
          context.forward(new Record<>(kv.key, (Object) Evicted.INSTANCE, wallClock));
        } else {
          InstanceStatus status = status(s, now, policy);
          if (status != s.getStatus()) {
            s.setStatus(status);
            store.put(kv.key, s);
            context.forward(new Record<>(kv.key, s, wallClock));
          }
        }
      }
    }
  }

  /** Marker forwarded for an evicted instance: becomes its tombstone on hotswap.instances.v1. */
  enum Evicted { INSTANCE }
}
