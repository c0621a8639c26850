package io.hotswap.approval;

import io.hotswap.avro.ApprovalRequest;
import io.hotswap.avro.ConfigPayload;
import io.hotswap.avro.Deployment;
import io.hotswap.avro.DeploymentHealth;
import io.hotswap.avro.DeploymentStatus;
import io.hotswap.core.deploy.DeploymentMachine;
import io.hotswap.core.json.Json;
import io.hotswap.core.kafka.PollLoop;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Webhook notifications — to a chat or mail bridge — of what people must know about: every
 * committed state of an approval request on {@code hotswap.approvals.v1} (pending, each approval,
 * approved, rejected, expired) and every rolled-back deployment on {@code hotswap.deployments.v1}
 * (automatic ones say so, with the health that caused them), and every plugin version deprecated on
 * {@code hotswap.plugins.v1} (with why; once for the platform and once per tenant and environment
 * that ran it). POSTed as JSON at least once: offsets
 * are committed only after the webhook answered 2xx, so a notification is retried (with back-off)
 * rather than lost, and may arrive twice after a restart ({@code X-HotSwap-Delivery} names it for
 * de-duplication). With a secret, {@code X-HotSwap-Signature: sha256=<hex HMAC of the body>} lets
 * the receiver verify it. A body names the change (tenant, environment, key, who) and never a value.
 */
final class WebhookNotifier implements SmartLifecycle {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookNotifier.class);

  private final Map<String, Object> consumerProps;
  private final Serdes serdes;
  private final URI webhook;
  private final byte[] secret;
  private final Duration retryBackoff;
  private final String startFrom;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final AtomicBoolean running = new AtomicBoolean();
  private KafkaConsumer<String, byte[]> consumer;
  private PollLoop<String, byte[]> loop;

  /** @param startFrom where a new notifier starts: {@code latest} (no backlog) or {@code earliest} (every request's latest state first) */
  WebhookNotifier(Map<String, Object> consumerProps, Serdes serdes, URI webhook, String secret, Duration retryBackoff, String startFrom) {
    this.startFrom = startFrom;
    this.consumerProps = Map.copyOf(consumerProps);
    this.serdes = serdes;
    this.webhook = webhook;
    this.secret = secret == null || secret.isBlank() ? null : secret.getBytes(StandardCharsets.UTF_8);
    this.retryBackoff = retryBackoff;
  }

  /** The notification for one state of a request: what happened, to which change, by whom. */
  static Map<String, Object> body(ApprovalRequest r) {
    Map<String, Object> body = new LinkedHashMap<>();
    String event = switch (r.getStatus()) {
      case PENDING -> r.getApprovals().isEmpty() ? "approval.requested" : "approval.granted";
      case APPROVED -> "approval.approved";
      case REJECTED -> "approval.rejected";
      case EXPIRED -> "approval.expired";
    };
    body.put("event", event);
    body.put("approvalId", r.getApprovalId());
    body.put("tenantId", r.getTenantId());
    body.put("environment", r.getEnvironment().isEmpty() ? null : r.getEnvironment());
    ConfigPayload c = r.getCommand().getConfig();
    body.put("kind", io.hotswap.core.domain.ApprovalPolicy.kind(r.getCommand()));
    body.put("key", c == null ? null : c.getKey());
    body.put("profile", r.getCommand().getProfile() == null ? null : r.getCommand().getProfile().getService());
    body.put("deploymentId", r.getCommand().getDeployment() == null ? null
        : io.hotswap.core.domain.StoreKeys.deploymentId(r.getTenantId(), r.getCommand().getDeployment().getDeploymentId()));
    body.put("changeHash", r.getChangeHash());
    body.put("schema", r.getCommand().getSchemaChange() == null ? null : r.getCommand().getSchemaChange().getName());
    body.put("status", r.getStatus().name().toLowerCase(Locale.ROOT));
    body.put("requestedBy", r.getRequestedBy());
    body.put("requiredApprovals", r.getRequiredApprovals());
    body.put("approvedBy", r.getApprovals().stream().map(v -> v.getApprover()).toList());
    body.put("decidedBy", r.getDecidedBy());
    body.put("comment", r.getComment());
    body.put("expiresAt", r.getExpiresAt() == null ? null : r.getExpiresAt().toString());
    body.put("revision", r.getRevision());
    return body;
  }

  /** The notification of a rolled-back deployment: which one, automatic or by whom, why, and the health it was judged on. */
  static Map<String, Object> body(Deployment d) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("event", "deployment.rolled_back");
    body.put("deploymentId", d.getDeploymentId());
    body.put("tenantId", d.getTenantId());
    body.put("environment", d.getEnvironment());
    body.put("key", d.getKey());
    body.put("strategy", d.getStrategy().name().toLowerCase(Locale.ROOT));
    body.put("automatic", DeploymentMachine.rolledBackAutomatically(d));
    body.put("rolledBackBy", d.getUpdatedBy());
    body.put("reason", d.getReason());
    body.put("candidateVersion", d.getCandidateVersion());
    body.put("rollbackVersion", d.getRollbackVersion());
    DeploymentHealth h = d.getLastHealth();
    if (h != null) {
      Map<String, Object> health = new LinkedHashMap<>();
      health.put("errorRate", h.getErrorRate());
      health.put("p99LatencyMs", h.getP99LatencyMs());
      health.put("healthChecksPassing", h.getHealthChecksPassing());
      health.put("source", h.getSource());
      body.put("health", health);
    }
    body.put("revision", d.getRevision());
    return body;
  }

  /**
   * The notifications of a deprecated plugin version: one for the platform (tenant {@code *}, as in
   * the audit trail), then one for each tenant and environment that ran it when it was deprecated,
   * so a tenant's people hear of it where their notifications go.
   */
  static List<Map<String, Object>> bodies(io.hotswap.avro.PluginVersion v) {
    List<Map<String, Object>> bodies = new java.util.ArrayList<>();
    bodies.add(deprecation(v, io.hotswap.core.deploy.WaveMachine.ALL_TENANTS, null));
    for (String where : v.getDeprecationNotified()) {
      int slash = where.indexOf('/');
      bodies.add(deprecation(v, slash < 0 ? where : where.substring(0, slash), slash < 0 ? null : where.substring(slash + 1)));
    }
    return bodies;
  }

  private static Map<String, Object> deprecation(io.hotswap.avro.PluginVersion v, String tenantId, String environment) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("event", "plugin.deprecated");
    body.put("tenantId", tenantId);
    body.put("environment", environment);
    body.put("pluginId", v.getPluginId());
    body.put("version", v.getVersion());
    body.put("reason", v.getDeprecationReason());
    body.put("deprecatedAt", v.getUpdatedAt().toString());
    body.put("tenantsRunningIt", v.getDeprecationNotified().size());
    return body;
  }

  /** {@code sha256=<hex>} of the body under the secret. */
  static String signature(byte[] secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /** Delivers a batch, then commits it: a notification is committed only once its webhook answered 2xx. */
  private void notify(ConsumerRecords<String, byte[]> records) {
    for (ConsumerRecord<String, byte[]> record : records) {
      if (record.value() != null) {
        deliver(record);
      }
    }
    if (!records.isEmpty()) {
      consumer.commitSync();
    }
  }

  /** The notifications a record calls for: none for a deployment not rolled back or an undecodable record (logged). */
  private List<Map<String, Object>> notifications(ConsumerRecord<String, byte[]> record) {
    try {
      if (record.topic().equals(Topics.DEPLOYMENTS)) {
        Deployment d = serdes.deployment().fromBytes(record.value());
        return d.getStatus() == DeploymentStatus.ROLLED_BACK ? List.of(body(d)) : List.of();
      }
      if (record.topic().equals(Topics.PLUGINS)) {
        io.hotswap.avro.PluginVersion v = serdes.pluginVersion().fromBytes(record.value());
        return v.getDeprecated() ? bodies(v) : List.of();
      }
      return List.of(body(serdes.approvalRequest().fromBytes(record.value())));
    } catch (RuntimeException e) {
      LOG.warn("skipping an undecodable record at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
      return List.of();
    }
  }

  /** Posts until the webhook answers 2xx (or the notifier stops: the offset is then not committed, so it is sent again). */
  private void deliver(ConsumerRecord<String, byte[]> record) {
    for (Map<String, Object> notification : notifications(record)) {
      deliver(record.topic(), notification);
    }
  }

  private void deliver(String topic, Map<String, Object> notification) {
    byte[] body = Json.MAPPER.writeValueAsBytes(notification);
    String delivery = switch (topic) {
      case Topics.DEPLOYMENTS -> notification.get("deploymentId") + "/" + notification.get("revision");
      case Topics.PLUGINS -> notification.get("pluginId") + "@" + notification.get("version") + "/deprecated/" + notification.get("tenantId")
          + (notification.get("environment") == null ? "" : "/" + notification.get("environment"));
      default -> notification.get("approvalId") + "/" + notification.get("revision");
    };
    HttpRequest.Builder post = HttpRequest.newBuilder(webhook).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .header("X-HotSwap-Event", (String) notification.get("event"))
        .header("X-HotSwap-Delivery", delivery)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (secret != null) {
      post.header("X-HotSwap-Signature", signature(secret, body));
    }
    for (int attempt = 1; running.get(); attempt++) {
      try {
        int status = http.send(post.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status / 100 == 2) {
          return;
        }
        LOG.warn("webhook {} answered {} to notification {} (attempt {}); retrying", webhook, status, delivery, attempt);
      } catch (java.io.IOException e) {
        LOG.warn("webhook {} unreachable for notification {} (attempt {}): {}; retrying", webhook, delivery, attempt, e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new WakeupException();
      }
      sleepBeforeRetry(attempt);
    }
    throw new WakeupException();
  }

  private void sleepBeforeRetry(int attempt) {
    long wait = Math.min(retryBackoff.toMillis() << Math.min(attempt - 1, 6), Duration.ofMinutes(1).toMillis());
    try {
      Thread.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WakeupException();
    }
  }

  @Override
  public void start() {
    Map<String, Object> p = new java.util.HashMap<>(consumerProps);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "hotswap-approval-notifier");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, startFrom);
    consumer = new KafkaConsumer<>(p);
    consumer.subscribe(List.of(Topics.APPROVALS, Topics.DEPLOYMENTS, Topics.PLUGINS));
    running.set(true);
    loop = PollLoop.start("hotswap-webhook-notifier", consumer, this::notify,
        "webhook notifications stopped; restart the approval service to resume them");
  }

  @Override
  public void stop() {
    if (loop != null) {
      loop.stop(true); // interrupts a retry back-off: the notification is not committed, so it is sent again
    }
    running.set(false);
  }

  @Override
  public boolean isRunning() {
    return running.get();
  }
}
