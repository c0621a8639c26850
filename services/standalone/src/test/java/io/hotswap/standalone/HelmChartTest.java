package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Helm chart as Helm itself renders it (the Go library through JNI: no Kubernetes needed):
 * lint, the schema enforced on overrides, and the manifests a cluster would get — Streams services
 * as StatefulSets keeping their state per pod, the gateway advertising its stable pod address and
 * scaled by an autoscaler, disruption budgets, every service given its secrets and only variables
 * the services read.
 */
class HelmChartTest {

  private static final Path CHART = root().resolve("helm/hotswap");
  private static final List<String> STREAMS_SERVICES = List.of("gateway", "validation", "approval", "rollout");

  private static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    while (!Files.exists(dir.resolve("helm/hotswap/Chart.yaml"))) {
      dir = dir.getParent();
    }
    return dir;
  }

  /** The rendered manifests (release "hs"), with {@code overrides} applied to the command. */
  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> render(UnaryOperator<TemplateCommand> overrides) {
    String manifests = overrides.apply(new Helm(CHART).template().withName("hs").withNamespace("hotswap")).call();
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : new Yaml().loadAll(manifests)) {
      if (doc != null) {
        docs.add((Map<String, Object>) doc);
      }
    }
    return docs;
  }

  private static Map<String, Object> find(List<Map<String, Object>> docs, String kind, String name) {
    return docs.stream().filter(d -> kind.equals(d.get("kind")) && name.equals(map(d.get("metadata")).get("name"))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Object o) {
    return o == null ? List.of() : (List<Map<String, Object>>) o;
  }

  private static Map<String, Object> podSpec(Map<String, Object> workload) {
    return map(map(map(workload.get("spec")).get("template")).get("spec"));
  }

  private static Map<String, Map<String, Object>> env(Map<String, Object> workload) {
    Map<String, Map<String, Object>> env = new java.util.LinkedHashMap<>();
    list(list(podSpec(workload).get("containers")).getFirst().get("env")).forEach(e -> env.put((String) e.get("name"), e));
    return env;
  }

  @Test
  void shouldLintCleanlyAndRefuseOverridesTheSchemaForbids() {
    LintResult lint = new Helm(CHART).lint().strict().call();
    assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    assertThatThrownBy(() -> render(t -> t.set("image.pullPolicy", "Sometimes"))).hasMessageContaining("pullPolicy");
    assertThatThrownBy(() -> render(t -> t.set("security.existingSecret", ""))).hasMessageContaining("existingSecret");
    assertThatThrownBy(() -> render(t -> t.set("replicaCount", "3"))).hasMessageContaining("replicaCount");
    assertThatThrownBy(() -> render(t -> t.set("tracing.samplingProbability", "2"))).hasMessageContaining("samplingProbability");
    assertThatThrownBy(() -> render(t -> t.set("logging.format", "xml"))).hasMessageContaining("format");
  }

  @Test
  void shouldRenderStreamsServicesAsStatefulSetsWithTheirSecretsAndOnlyVariablesTheServicesRead() throws IOException {
    List<Map<String, Object>> docs = render(t -> t);
    Set<String> read = DeploymentManifestsTest.readByTheServices();
    for (String name : STREAMS_SERVICES) {
      Map<String, Object> set = find(docs, "StatefulSet", "hs-" + name);
      Map<String, Object> spec = map(set.get("spec"));
      assertThat(spec.get("serviceName")).isEqualTo("hs-" + name + "-headless");
      assertThat(map(map(find(docs, "Service", "hs-" + name + "-headless").get("spec"))).get("clusterIP")).isEqualTo("None");
      // each pod keeps its state on a claim of its own
      assertThat(list(spec.get("volumeClaimTemplates"))).extracting(c -> map(c.get("metadata")).get("name")).containsExactly("state");
      assertThat(podSpec(set)).doesNotContainKey("volumes");
    }
    Map<String, Object> audit = find(docs, "Deployment", "hs-audit");
    assertThat(env(audit)).containsKeys("HOTSWAP_DB_URL", "HOTSWAP_DB_USER", "HOTSWAP_DB_PASSWORD");
    List<Map<String, Object>> workloads = new ArrayList<>(STREAMS_SERVICES.stream().map(n -> find(docs, "StatefulSet", "hs-" + n)).toList());
    workloads.add(audit);
    for (Map<String, Object> workload : workloads) {
      String name = (String) map(workload.get("metadata")).get("name");
      Map<String, Map<String, Object>> env = env(workload);
      for (String secret : List.of("HOTSWAP_JWT_SECRET", "HOTSWAP_MASTER_KEY")) {
        assertThat(map(map(env.get(secret).get("valueFrom")).get("secretKeyRef"))).as(name + " " + secret).containsEntry("name", "hotswap-security");
      }
      assertThat(env.keySet().stream().filter(k -> k.startsWith("HOTSWAP_")).toList()).as(name).allSatisfy(k -> assertThat(read).contains(k));
      Map<String, Object> container = list(podSpec(workload).get("containers")).getFirst();
      assertThat(map(map(container.get("readinessProbe")).get("httpGet"))).containsEntry("path", "/actuator/health/readiness");
    }
    assertThat(env(find(docs, "StatefulSet", "hs-approval"))).doesNotContainKey("HOTSWAP_NOTIFICATIONS_WEBHOOK_URL");
    // traces: sampled at Spring Boot's default, exported nowhere until a collector is named
    assertThat(env(audit).get("MANAGEMENT_TRACING_SAMPLING_PROBABILITY").get("value")).isEqualTo("0.1");
    assertThat(env(audit)).doesNotContainKey("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT");
    assertThat(env(audit).get("LOGGING_STRUCTURED_FORMAT_CONSOLE").get("value")).isEqualTo("ecs");

    // the gateway: its stable pod address, scaled on CPU from its replicas up, never more than one pod away
    Map<String, Object> gateway = find(docs, "StatefulSet", "hs-gateway");
    assertThat(env(gateway).get("HOTSWAP_GATEWAY_ADVERTISED_HOST").get("value")).isEqualTo("$(POD_NAME).hs-gateway-headless.hotswap.svc");
    assertThat(map(gateway.get("spec"))).as("the autoscaler decides how many").doesNotContainKey("replicas");
    Map<String, Object> hpa = map(find(docs, "HorizontalPodAutoscaler", "hs-gateway").get("spec"));
    assertThat(map(hpa.get("scaleTargetRef"))).containsEntry("kind", "StatefulSet").containsEntry("name", "hs-gateway");
    assertThat(hpa).containsEntry("minReplicas", 2).containsEntry("maxReplicas", 6);
    assertThat(map(find(docs, "PodDisruptionBudget", "hs-gateway").get("spec"))).containsEntry("maxUnavailable", 1);
    assertThat(docs).as("one replica: nothing to budget").noneMatch(d -> "PodDisruptionBudget".equals(d.get("kind"))
        && "hs-rollout".equals(map(d.get("metadata")).get("name")));
  }

  @Test
  void shouldFollowTheOverridesAnOperatorGives() {
    List<Map<String, Object>> docs = render(t -> t.set("state.persistence.enabled", "false").set("gateway.autoscaling.enabled", "false")
        .set("pipeline.rollout.replicas", "3").set("notifications.webhookUrl", "https://hooks.example.com/hotswap")
        .set("notifications.existingSecret", "hotswap-webhook").set("tracing.otlpEndpoint", "http://jaeger-collector:4318/v1/traces")
        .set("tracing.samplingProbability", "1").set("logging.format", "").set("objectStorage.endpoint", "http://minio:9000"));
    Map<String, Map<String, Object>> gatewayEnv = env(find(docs, "StatefulSet", "hs-gateway"));
    assertThat(gatewayEnv.get("HOTSWAP_S3_ENDPOINT").get("value")).isEqualTo("http://minio:9000");
    assertThat(map(map(gatewayEnv.get("HOTSWAP_S3_SECRET_KEY").get("valueFrom")).get("secretKeyRef")))
        .containsEntry("name", "hotswap-object-storage").containsEntry("key", "secret-key");
    assertThat(env(find(docs, "StatefulSet", "hs-rollout"))).as("plain text logs").doesNotContainKey("LOGGING_STRUCTURED_FORMAT_CONSOLE");
    assertThat(env(find(docs, "StatefulSet", "hs-validation")).get("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT").get("value"))
        .isEqualTo("http://jaeger-collector:4318/v1/traces");
    assertThat(env(find(docs, "StatefulSet", "hs-gateway")).get("MANAGEMENT_TRACING_SAMPLING_PROBABILITY").get("value")).isEqualTo("1");
    Map<String, Object> rollout = find(docs, "StatefulSet", "hs-rollout");
    assertThat(map(rollout.get("spec"))).containsEntry("replicas", 3).doesNotContainKey("volumeClaimTemplates");
    assertThat(list(podSpec(rollout).get("volumes"))).extracting(v -> v.get("name")).containsExactly("state");
    assertThat(map(find(docs, "PodDisruptionBudget", "hs-rollout").get("spec"))).containsEntry("maxUnavailable", 1);
    assertThat(map(find(docs, "StatefulSet", "hs-gateway").get("spec"))).containsEntry("replicas", 2);
    assertThat(docs).noneMatch(d -> "HorizontalPodAutoscaler".equals(d.get("kind")));
    Map<String, Map<String, Object>> approval = env(find(docs, "StatefulSet", "hs-approval"));
    assertThat(approval.get("HOTSWAP_NOTIFICATIONS_WEBHOOK_URL").get("value")).isEqualTo("https://hooks.example.com/hotswap");
    assertThat(map(map(approval.get("HOTSWAP_NOTIFICATIONS_WEBHOOK_SECRET").get("valueFrom")).get("secretKeyRef")))
        .containsEntry("name", "hotswap-webhook");
  }
}
