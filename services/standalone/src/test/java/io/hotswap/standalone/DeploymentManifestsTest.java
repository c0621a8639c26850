package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotswap.core.json.Json;
import io.hotswap.core.schema.ConfigSchemas;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What an operator starts the platform from, checked without Docker or Kubernetes (neither runs on
 * these machines): docker-compose.yml and the Helm chart give every service its secrets from
 * outside the file, set only environment variables the services read (so a renamed setting cannot
 * silently stop applying), and Prometheus scrapes with a token; the chart's values satisfy their
 * schema and its templates read only values that exist.
 */
class DeploymentManifestsTest {

  private static final List<String> SERVICES = List.of("validation", "approval", "rollout", "audit", "gateway");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(HOTSWAP_[A-Z0-9_]+)");
  private static final Pattern PROPERTY_KEY = Pattern.compile("(?m)^(hotswap\\.[a-z0-9.-]+)=");
  private static final Pattern CODE_KEY = Pattern.compile("(?:\\$\\{|@ConditionalOnProperty\\(\")(hotswap\\.[a-z0-9.-]+)");
  private static final Pattern TEMPLATE_ENV = Pattern.compile("- name: (HOTSWAP_[A-Z0-9_]+)");
  private static final Pattern TEMPLATE_VALUE = Pattern.compile("\\.Values\\.([A-Za-z0-9_.]+)");

  private static final Path ROOT = root();

  private static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    while (!Files.exists(dir.resolve("hotswap")) || !Files.exists(dir.resolve("docker-compose.yml"))) {
      dir = dir.getParent();
    }
    return dir;
  }

  /**
   * The environment variables the services read: placeholders in their properties, and the
   * environment form (upper case, dots and dashes as underscores: Spring's relaxed binding) of
   * every {@code hotswap.*} setting their properties or code read.
   */
  static Set<String> readByTheServices() throws IOException {
    Set<String> names = new TreeSet<>();
    try (Stream<Path> files = Files.walk(ROOT.resolve("services"))) {
      for (Path f : files.filter(p -> p.toString().contains("/src/main/")
          && (p.toString().endsWith(".properties") || p.toString().endsWith(".java"))).toList()) {
        String text = Files.readString(f);
        PLACEHOLDER.matcher(text).results().forEach(m -> names.add(m.group(1)));
        Pattern keys = f.toString().endsWith(".java") ? CODE_KEY : PROPERTY_KEY;
        keys.matcher(text).results().forEach(m -> names.add(m.group(1).toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_')));
      }
    }
    return names;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yaml(Path file) throws IOException {
    return (Map<String, Object>) new Yaml().load(Files.readString(file));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o == null ? Map.of() : (Map<String, Object>) o;
  }

  @Test
  @SuppressWarnings("unchecked")
  void composeGivesEveryServiceItsSecretsFromOutsideAndSetsOnlyWhatTheServicesRead() throws IOException {
    Set<String> read = readByTheServices();
    assertThat(read).as("the scan finds the settings").contains("HOTSWAP_KAFKA_BOOTSTRAP", "HOTSWAP_JWT_SECRET", "HOTSWAP_MASTER_KEY",
        "HOTSWAP_GATEWAY_ADVERTISED_HOST", "HOTSWAP_NOTIFICATIONS_WEBHOOK_URL");
    Map<String, Object> services = map(yaml(ROOT.resolve("docker-compose.yml")).get("services"));
    Set<String> secretNames = Set.of("HOTSWAP_JWT_SECRET", "HOTSWAP_MASTER_KEY", "HOTSWAP_DB_PASSWORD", "POSTGRES_PASSWORD",
        "GF_SECURITY_ADMIN_PASSWORD", "HOTSWAP_S3_SECRET_KEY", "MINIO_ROOT_PASSWORD");
    for (String name : SERVICES) {
      Map<String, Object> service = map(services.get(name));
      assertThat((List<String>) service.get("env_file")).as(name + " reads the secrets ./hotswap secrets makes").contains("secrets/hotswap.env");
      Map<String, Object> env = map(service.get("environment"));
      assertThat(env.keySet()).as(name + ": no secret written into the file").doesNotContainAnyElementsOf(secretNames);
      assertThat(env.keySet().stream().filter(k -> k.startsWith("HOTSWAP_")).toList()).as(name + ": only names the services read")
          .allSatisfy(k -> assertThat(read).contains(k));
    }
    // plugin binaries in MinIO, whose password comes from the secrets like every other
    Map<String, Object> minio = map(services.get("minio"));
    assertThat((List<String>) minio.get("env_file")).contains("secrets/hotswap.env");
    assertThat(map(minio.get("environment")).keySet()).doesNotContainAnyElementsOf(secretNames);
    assertThat(map(map(services.get("gateway")).get("environment"))).containsEntry("HOTSWAP_S3_ENDPOINT", "http://minio:9000");
    Map<String, Object> postgres = map(services.get("postgres"));
    assertThat((List<String>) postgres.get("env_file")).contains("secrets/hotswap.env");
    assertThat(map(postgres.get("environment")).keySet()).doesNotContainAnyElementsOf(secretNames);

    // ./hotswap secrets writes every secret the file expects
    String script = Files.readString(ROOT.resolve("hotswap"));
    assertThat(secretNames).allSatisfy(n -> assertThat(script).contains("echo \"" + n + "="));

    // Grafana: its admin password from the secrets, the data source and dashboards provisioned
    Map<String, Object> grafana = map(services.get("grafana"));
    assertThat((List<String>) grafana.get("env_file")).contains("secrets/hotswap.env");
    assertThat(script).contains("echo \"GF_SECURITY_ADMIN_PASSWORD=");
    assertThat((List<String>) grafana.get("volumes")).contains("./docker/grafana/provisioning:/etc/grafana/provisioning:ro",
        "./docker/grafana/dashboards:/var/lib/grafana/dashboards:ro");
    Map<String, Object> source = ((List<Map<String, Object>>) yaml(ROOT.resolve("docker/grafana/provisioning/datasources/prometheus.yml"))
        .get("datasources")).getFirst();
    assertThat(source).containsEntry("url", "http://prometheus:9090");
    Map<String, Object> provider = ((List<Map<String, Object>>) yaml(ROOT.resolve("docker/grafana/provisioning/dashboards/hotswap.yml"))
        .get("providers")).getFirst();
    assertThat(map(provider.get("options"))).containsEntry("path", "/var/lib/grafana/dashboards");
    List<JsonNode> dashboards = dashboards();
    // the four the operators' runbook points at, each with its own uid
    assertThat(dashboards).extracting(d -> d.path("uid").asString())
        .containsExactlyInAnyOrder("hotswap-overview", "hotswap-config-activity", "hotswap-deployments", "hotswap-propagation");
    for (JsonNode dashboard : dashboards) {
      for (JsonNode panel : dashboard.get("panels")) {
        assertThat(panel.path("datasource").path("uid").asString()).as(panel.path("title").asString()).isEqualTo(source.get("uid"));
        assertThat(panel.get("targets")).as(panel.path("title").asString()).isNotEmpty()
            .allSatisfy(t -> assertThat(t.path("expr").asString()).isNotBlank());
      }
    }

    // Prometheus scrapes with the token ./hotswap secrets makes
    Map<String, Object> prometheus = map(services.get("prometheus"));
    assertThat((List<String>) prometheus.get("volumes")).contains("./secrets/prometheus-token:/etc/prometheus/token:ro");
    assertThat(script).contains("> secrets/prometheus-token");
    List<Map<String, Object>> jobs = (List<Map<String, Object>>) yaml(ROOT.resolve("docker/prometheus.yml")).get("scrape_configs");
    Map<String, Object> hotswap = jobs.stream().filter(j -> "hotswap".equals(j.get("job_name"))).findFirst().orElseThrow();
    // relative to the configuration's directory, where compose mounts the token
    assertThat(map(hotswap.get("authorization"))).containsEntry("type", "Bearer").containsEntry("credentials_file", "token");
  }

  /** The dashboards compose provisions into Grafana, each parsed (a file that is not valid JSON fails here). */
  static List<JsonNode> dashboards() throws IOException {
    List<JsonNode> all = new java.util.ArrayList<>();
    try (var files = Files.list(ROOT.resolve("docker/grafana/dashboards"))) {
      for (Path f : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        all.add(Json.MAPPER.readTree(Files.readString(f)));
      }
    }
    return all;
  }

  @Test
  void helmValuesSatisfyTheirSchemaAndTemplatesReadOnlyValuesAndVariablesThatExist() throws IOException {
    Path chart = ROOT.resolve("helm/hotswap");
    String schema = Files.readString(chart.resolve("values.schema.json"));
    ObjectNode values = Json.MAPPER.valueToTree(yaml(chart.resolve("values.yaml")));
    assertThat(ConfigSchemas.validate(schema, values)).as("values.yaml against values.schema.json").isEmpty();
    // the schema means something: an unknown key, a missing security secret and a bad strategy of pull are refused
    ObjectNode unknown = values.deepCopy();
    unknown.put("replicaCount", 3);
    assertThat(ConfigSchemas.validate(schema, unknown)).isNotEmpty();
    ObjectNode noSecret = values.deepCopy();
    noSecret.remove("security");
    assertThat(ConfigSchemas.validate(schema, noSecret)).isNotEmpty();
    ObjectNode badPull = values.deepCopy();
    ((ObjectNode) badPull.get("image")).put("pullPolicy", "Sometimes");
    assertThat(ConfigSchemas.validate(schema, badPull)).isNotEmpty();

    Set<String> read = readByTheServices();
    List<String> templates = new ArrayList<>();
    try (Stream<Path> files = Files.list(chart.resolve("templates"))) {
      for (Path f : files.sorted().toList()) {
        templates.add(Files.readString(f));
      }
    }
    for (String template : templates) {
      Matcher m = TEMPLATE_VALUE.matcher(template);
      while (m.find()) {
        JsonNode node = values;
        for (String part : m.group(1).split("\\.")) {
          node = node.path(part);
        }
        assertThat(node.isMissingNode()).as(".Values." + m.group(1) + " is in values.yaml").isFalse();
      }
      TEMPLATE_ENV.matcher(template).results().forEach(e -> assertThat(read).as("a variable the services read").contains(e.group(1)));
    }
    String helpers = Files.readString(chart.resolve("templates/_helpers.tpl"));
    assertThat(helpers).contains("- name: HOTSWAP_JWT_SECRET", "- name: HOTSWAP_MASTER_KEY");
    assertThat(Files.readString(chart.resolve("templates/gateway.yaml"))).contains("include \"hotswap.securityEnv\"");
    assertThat(Files.readString(chart.resolve("templates/pipeline.yaml"))).contains("include \"hotswap.securityEnv\"");
  }
}
