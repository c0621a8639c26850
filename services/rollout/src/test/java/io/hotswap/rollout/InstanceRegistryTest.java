package io.hotswap.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotswap.avro.AppliedVersion;
import io.hotswap.avro.HealthReport;
import io.hotswap.avro.HealthReportKind;
import io.hotswap.avro.InstanceState;
import io.hotswap.avro.InstanceStatus;
import io.hotswap.avro.ServiceInstance;
import io.hotswap.core.kafka.StreamsDefaults;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The instance registry's rules, on the real topology with a mocked wall clock. */
class InstanceRegistryTest {

  private static final Instant START = Instant.parse("2026-11-23T10:00:00Z");
  private static final InstanceRegistry.Policy POLICY =
      new InstanceRegistry.Policy(Duration.ofSeconds(5), Duration.ofMinutes(2), 0.05, 1000);

  private final Serdes serdes = Serdes.create();
  private TopologyTestDriver driver;
  private TestInputTopic<String, ServiceInstance> heartbeats;
  private TestInputTopic<String, HealthReport> reports;
  private TestOutputTopic<String, InstanceState> registry;
  private TestOutputTopic<String, ServiceInstance> instances;

  @BeforeEach
  void start() {
    StreamsBuilder builder = new StreamsBuilder();
    RolloutTopology.build(builder, serdes, Duration.ofHours(24), Retention.DEFAULT, POLICY);
    Properties props = new Properties();
    props.putAll(StreamsDefaults.apply(new HashMap<>(Map.of("bootstrap.servers", "unused:9092")), "registry-test"));
    driver = new TopologyTestDriver(builder.build(), props, START);
    heartbeats = driver.createInputTopic(Topics.INSTANCES, new StringSerializer(), serdes.serviceInstance().serializer());
    reports = driver.createInputTopic(Topics.HEALTH, new StringSerializer(), serdes.healthReport().serializer());
    registry = driver.createOutputTopic(Topics.INSTANCE_REGISTRY, new StringDeserializer(), serdes.instanceState().deserializer());
    instances = driver.createOutputTopic(Topics.INSTANCES, new StringDeserializer(), serdes.serviceInstance().deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private Instant now() {
    return START.plus(Duration.ofMillis(driverOffset));
  }

  private long driverOffset;

  private void advance(Duration d) {
    driverOffset += d.toMillis();
    driver.advanceWallClockTime(d);
  }

  private void beat(String id) {
    heartbeats.pipeInput(id, ServiceInstance.newBuilder().setInstanceId(id).setService("checkout").setHost("10.0.0.1").setPort(8080)
        .setTags(List.of("canary")).setHeartbeatPeriodMs(30_000).setSentAt(now()).build());
  }

  /** A report of instance {@code id} (service checkout), sent now. */
  private HealthReport.Builder report(String id, HealthReportKind kind) {
    return HealthReport.newBuilder().setInstanceId(id).setService("checkout").setReportedAt(now()).setKind(kind);
  }

  private InstanceState lastView(String id) {
    InstanceState last = null;
    for (TestRecord<String, InstanceState> r : registry.readRecordsToList()) {
      if (r.key().equals(id)) {
        last = r.value();
      }
    }
    return last;
  }

  @Test
  void shouldRegisterOnTheFirstHeartbeatAndRateHealthy() {
    beat("i-1");
    InstanceState view = lastView("i-1");
    assertThat(view.getStatus()).isEqualTo(InstanceStatus.HEALTHY);
    assertThat(view.getInstance().getService()).isEqualTo("checkout");
    assertThat(view.getRegisteredAt()).isEqualTo(START);
  }

  @Test
  void shouldMarkAnInstanceUnhealthyAfterTwoMissedPeriodsThenEvictIt() {
    beat("i-1");
    registry.readRecordsToList();
    advance(Duration.ofSeconds(55));
    assertThat(registry.isEmpty()).as("within two periods nothing changes").isTrue();
    advance(Duration.ofSeconds(10));
    assertThat(lastView("i-1").getStatus()).isEqualTo(InstanceStatus.UNHEALTHY);

    advance(Duration.ofSeconds(60));
    List<TestRecord<String, InstanceState>> removed = registry.readRecordsToList();
    assertThat(removed).singleElement().satisfies(r -> {
      assertThat(r.key()).isEqualTo("i-1");
      assertThat(r.value()).as("tombstone").isNull();
    });
    assertThat(instances.readRecordsToList()).as("its heartbeat record is compacted away too")
        .singleElement().satisfies(r -> assertThat(r.value()).isNull());
  }

  @Test
  void shouldRecoverWhenHeartbeatsResume() {
    beat("i-1");
    advance(Duration.ofSeconds(65));
    assertThat(lastView("i-1").getStatus()).isEqualTo(InstanceStatus.UNHEALTHY);
    beat("i-1");
    assertThat(lastView("i-1").getStatus()).isEqualTo(InstanceStatus.HEALTHY);
  }

  @Test
  void shouldRateDegradedFromHealthReportsAndKeepAppliedVersions() {
    beat("i-1");
    reports.pipeInput("i-1", report("i-1", HealthReportKind.APPLIED).setTenantId("acme").setKey("feature.x").setVersion(4L).setApplyMicros(35L).build());
    reports.pipeInput("i-1", report("i-1", HealthReportKind.HEALTH).setRequests(100).setErrors(9).setP99Ms(40.0).build());
    InstanceState view = lastView("i-1");
    assertThat(view.getStatus()).isEqualTo(InstanceStatus.DEGRADED);
    assertThat(view.getApplied().get("acme|feature.x").getVersion()).isEqualTo(4L);
    assertThat(view.getRequests()).isEqualTo(100);

    reports.pipeInput("i-1", report("i-1", HealthReportKind.HEALTH).setRequests(100).setErrors(0).setP99Ms(2500.0).build());
    assertThat(lastView("i-1").getStatus()).as("slow").isEqualTo(InstanceStatus.DEGRADED);
    reports.pipeInput("i-1", report("i-1", HealthReportKind.HEALTH).setRequests(100).setErrors(1).setP99Ms(20.0).build());
    InstanceState healthy = lastView("i-1");
    assertThat(healthy.getStatus()).isEqualTo(InstanceStatus.HEALTHY);
    assertThat(healthy.getApplied()).containsKey("acme|feature.x");
  }

  @Test
  void shouldTakeWhatAnInstanceLoadedAtStartAsItsAppliedVersionsThenAddChanges() {
    beat("i-2");
    // before a restart the instance had applied a key that was deleted while it was down
    reports.pipeInput("i-2", report("i-2", HealthReportKind.APPLIED).setTenantId("acme").setKey("feature.gone").setVersion(2L).setApplyMicros(10L).build());
    reports.pipeInput("i-2", report("i-2", HealthReportKind.LOADED).setLoaded(Map.of("acme|feature.x", 7L, "acme|profile:checkout", 3L))
        .setLoadedArms(Map.of("acme|feature.x", "candidate")).build());
    InstanceState loaded = lastView("i-2");
    assertThat(loaded.getApplied()).containsOnlyKeys("acme|feature.x", "acme|profile:checkout");
    assertThat(loaded.getApplied().get("acme|feature.x").getVersion()).isEqualTo(7L);
    assertThat(loaded.getApplied().get("acme|feature.x").getArm()).as("the arm it serves").isEqualTo("candidate");
    assertThat(loaded.getApplied().get("acme|profile:checkout").getArm()).as("not listed: stable").isEqualTo("stable");
    assertThat(loaded.getApplied().get("acme|profile:checkout").getApplyMicros()).isNull();
    assertThat(loaded.getStatus()).isEqualTo(InstanceStatus.HEALTHY);

    reports.pipeInput("i-2", report("i-2", HealthReportKind.APPLIED).setTenantId("acme").setKey("feature.x").setVersion(8L).setApplyMicros(20L).build());
    InstanceState changed = lastView("i-2");
    assertThat(changed.getApplied().get("acme|feature.x").getVersion()).isEqualTo(8L);
    assertThat(changed.getApplied()).hasSize(2);
  }

  /**
   * A listener's failure and the report of the apply travel separately, in either order: the
   * version's failure stays until the instance applies another version.
   */
  @Test
  void shouldKeepAVersionsFailedApplyUntilAnotherVersionIsApplied() {
    beat("i-3");
    reports.pipeInput("i-3", report("i-3", HealthReportKind.APPLIED).setTenantId("acme").setKey("feature.x").setVersion(5L)
        .setApplyError("BindException: 2.5 is no int").build());
    reports.pipeInput("i-3", report("i-3", HealthReportKind.APPLIED).setTenantId("acme").setKey("feature.x").setVersion(5L).setApplyMicros(9L)
        .build());
    assertThat(lastView("i-3").getApplied().get("acme|feature.x").getApplyError()).isEqualTo("BindException: 2.5 is no int");
    // the client's LOADED report, repeated a heartbeat after it started, says nothing new about a version it holds
    reports.pipeInput("i-3", report("i-3", HealthReportKind.LOADED).setLoaded(Map.of("acme|feature.x", 5L)).build());
    AppliedVersion reloaded = lastView("i-3").getApplied().get("acme|feature.x");
    assertThat(reloaded.getApplyError()).isEqualTo("BindException: 2.5 is no int");
    assertThat(reloaded.getApplyMicros()).isEqualTo(9L);
    reports.pipeInput("i-3", report("i-3", HealthReportKind.APPLIED).setTenantId("acme").setKey("feature.x").setVersion(6L).setApplyMicros(9L)
        .build());
    assertThat(lastView("i-3").getApplied().get("acme|feature.x").getApplyError()).as("applied since").isNull();
  }

  @Test
  void shouldIgnoreReportsOfUnknownInstancesAndStaleReplayedHeartbeats() {
    reports.pipeInput("ghost", HealthReport.newBuilder().setInstanceId("ghost").setService("x").setReportedAt(now())
        .setKind(HealthReportKind.HEALTH).setRequests(1).build());
    heartbeats.pipeInput("old", ServiceInstance.newBuilder().setInstanceId("old").setService("x").setHeartbeatPeriodMs(30_000)
        .setSentAt(now().minus(Duration.ofMinutes(10))).build());
    assertThat(registry.isEmpty()).isTrue();
  }

  @Test
  void shouldRemoveADeregisteredInstance() {
    beat("i-1");
    registry.readRecordsToList();
    heartbeats.pipeInput("i-1", (ServiceInstance) null);
    assertThat(registry.readRecordsToList()).singleElement().satisfies(r -> assertThat(r.value()).isNull());
    heartbeats.pipeInput("i-1", (ServiceInstance) null);
    assertThat(registry.isEmpty()).as("a second tombstone changes nothing").isTrue();
  }
}
