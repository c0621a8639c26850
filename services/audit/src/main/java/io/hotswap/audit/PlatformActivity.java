package io.hotswap.audit;

import io.hotswap.avro.AuditEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The platform's activity as the seeds name it, counted from the audit trail as the sink stores
 * it: every change is committed to the trail exactly once, so counting newly stored events (and
 * nothing the pipeline retried) counts each change once, whichever service made it.
 * {@code configs.creations} (the seeds' {@code configs.created}: Prometheus reserves the
 * {@code _created} suffix), {@code configs.updated} (updates and key rollbacks),
 * {@code configs.deleted}, {@code configs.promoted}, {@code deployments.started},
 * {@code deployments.completed}, {@code rollbacks.triggered} (tag {@code automatic}: decided on
 * health, or asked for), {@code approvals.requested}, {@code approvals.decided} (tag
 * {@code decision}: approved, rejected or expired); each tagged with the
 * environment (Prometheus: {@code configs_creations_total{environment="production"}}).
 */
final class PlatformActivity {

  private final MeterRegistry meters;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  PlatformActivity(MeterRegistry meters) {
    this.meters = meters;
  }

  void count(AuditEvent e) {
    String name = switch (e.getEventType()) {
      // not configs.created: Prometheus reserves the _created suffix (a counter's creation time) and drops it
      case CONFIG_CREATED -> "configs.creations";
      case CONFIG_UPDATED, CONFIG_ROLLED_BACK -> "configs.updated";
      case CONFIG_DELETED -> "configs.deleted";
      case CONFIG_PROMOTED -> "configs.promoted";
      case DEPLOYMENT_STARTED -> "deployments.started";
      case DEPLOYMENT_COMPLETED -> "deployments.completed";
      case DEPLOYMENT_ROLLED_BACK -> "rollbacks.triggered";
      case APPROVAL_REQUESTED -> "approvals.requested";
      case CHANGE_APPROVED, CHANGE_REJECTED, APPROVAL_EXPIRED -> "approvals.decided";
      default -> null;
    };
    if (name == null) {
      return;
    }
    String environment = e.getEnvironment() == null ? "none" : e.getEnvironment();
    // the second tag: a rollback decided on health says so in its reason, whoever sent the report;
    // an approval's decision is the event's
    String[] extra = switch (name) {
      case "rollbacks.triggered" -> new String[] {"automatic",
          Boolean.toString(e.getDetail() != null && e.getDetail().contains(io.hotswap.core.deploy.DeploymentMachine.AUTOMATIC_ROLLBACK))};
      case "approvals.decided" -> new String[] {"decision", switch (e.getEventType()) {
        case CHANGE_APPROVED -> "approved";
        case CHANGE_REJECTED -> "rejected";
        default -> "expired";
      }};
      default -> new String[0];
    };
    counters.computeIfAbsent(name + '|' + environment + '|' + String.join("|", extra), k ->
        Counter.builder(name).tag("environment", environment).tags(extra).register(meters)).increment();
  }
}
