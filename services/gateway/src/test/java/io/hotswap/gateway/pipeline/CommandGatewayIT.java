package io.hotswap.gateway.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.Outcome;
import io.hotswap.core.domain.Rejection;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.condition.EmbeddedKafkaCondition;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.mock.web.MockHttpServletRequest;

/**
 * The gateway's synchronous face over the asynchronous pipeline, on a real broker: a stand-in for
 * the pipeline answers each command on {@code command-results} (or, for tenant "silent", never).
 */
@Tag("integration")
@EmbeddedKafka(partitions = 3, topics = {Topics.COMMANDS, Topics.COMMAND_RESULTS, Topics.AUDIT})
class CommandGatewayIT {

  private static final Serdes SERDES = Serdes.create();
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final List<Command> RECEIVED = new CopyOnWriteArrayList<>();
  private static final AtomicBoolean RUNNING = new AtomicBoolean(true);
  private static final ExecutorService PIPELINE = Executors.newSingleThreadExecutor();
  private static CommandGateway gateway;
  private static Future<?> pipeline;

  @BeforeAll
  static void start() {
    String bootstrap = EmbeddedKafkaCondition.getBroker().getBrokersAsString();
    gateway = new CommandGateway(Map.of("bootstrap.servers", bootstrap), SERDES, TIMEOUT);
    gateway.start();
    pipeline = PIPELINE.submit(() -> answer(bootstrap));
  }

  /** Answers like the pipeline: rejected for a key named "bad", applied otherwise; tenant "silent" never hears back. */
  private static void answer(String bootstrap) {
    try (KafkaConsumer<String, byte[]> in = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap, "group.id", "stand-in",
        "auto.offset.reset", "earliest"), new StringDeserializer(), new ByteArrayDeserializer());
         KafkaProducer<String, byte[]> out = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap), new StringSerializer(),
             new ByteArraySerializer())) {
      in.subscribe(List.of(Topics.COMMANDS));
      while (RUNNING.get()) {
        for (ConsumerRecord<String, byte[]> r : in.poll(Duration.ofMillis(50))) {
          Command c = SERDES.command().fromBytes(r.value());
          RECEIVED.add(c);
          if (c.getTenantId().equals("silent")) {
            continue;
          }
          boolean bad = c.getConfig() != null && c.getConfig().getKey().equals("bad");
          CommandResult result = CommandResult.newBuilder().setCommandId(c.getCommandId()).setTenantId(c.getTenantId())
              .setOutcome(bad ? Outcome.REJECTED : Outcome.APPLIED).setStatus(bad ? 409 : 201).setStage("rollout")
              .setErrorType(bad ? "config-exists" : null).setDetail(bad ? "key 'bad' already exists" : null).setField(bad ? "key" : null)
              .setVersion(bad ? null : 1L).setDecidedAt(Instant.now()).build();
          out.send(new ProducerRecord<>(Topics.COMMAND_RESULTS, c.getCommandId(), SERDES.commandResult().toBytes(result)));
        }
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    RUNNING.set(false);
    pipeline.get();
    PIPELINE.shutdown();
    gateway.stop();
  }

  private static Command command(String tenant, String key) {
    MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/configs");
    return Commands.envelope(CommandType.CONFIG_CREATE, tenant, request, "carla")
        .setConfig(io.hotswap.avro.ConfigPayload.newBuilder().setEnvironment("development").setKey(key).setValue("1")
            .setValueType(io.hotswap.avro.ValueType.NUMBER).build())
        .build();
  }

  @Test
  void shouldSendACommandKeyedByItsTenantAndWaitForItsOwnResult() throws Exception {
    // many at once, over every partition: each caller gets the answer to its own command
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try {
      List<Command> sent = new java.util.ArrayList<>();
      List<Future<CommandResult>> answers = new java.util.ArrayList<>();
      for (int i = 0; i < 40; i++) {
        Command c = command("tenant-" + (i % 7), "k" + i);
        sent.add(c);
        answers.add(callers.submit(() -> gateway.submitOrReject(c)));
      }
      for (int i = 0; i < sent.size(); i++) {
        CommandResult r = answers.get(i).get();
        assertThat(r.getCommandId()).isEqualTo(sent.get(i).getCommandId());
        assertThat(r.getOutcome()).isEqualTo(Outcome.APPLIED);
      }
    } finally {
      callers.shutdown();
    }
    assertThat(RECEIVED).filteredOn(c -> c.getTenantId().equals("tenant-3")).isNotEmpty()
        .allSatisfy(c -> assertThat(c.getActor()).isEqualTo("carla"));
  }

  @Test
  void shouldTurnARejectionIntoTheProblemItCarries() {
    assertThatThrownBy(() -> gateway.submitOrReject(command("acme", "bad"))).isInstanceOfSatisfying(Rejection.class, r -> {
      assertThat(r.status()).isEqualTo(409);
      assertThat(r.type()).isEqualTo("config-exists");
      assertThat(r.field()).isEqualTo("key");
    });
    assertThat(gateway.submit(command("acme", "bad")).getOutcome()).as("submit alone hands the rejection back")
        .isEqualTo(Outcome.REJECTED);
  }

  @Test
  void shouldGiveUpAfterTheTimeoutNamingTheCommandToRetry() {
    Command unanswered = command("silent", "k");
    long start = System.nanoTime();
    assertThatThrownBy(() -> gateway.submitOrReject(unanswered)).isInstanceOfSatisfying(CommandGateway.PipelineTimeout.class, t -> {
      assertThat(t.commandId()).isEqualTo(unanswered.getCommandId());
      assertThat(t.getMessage()).contains("Idempotency-Key");
    });
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(TIMEOUT);
  }

  @Test
  void shouldDeliverTheResultOfACommandSomeoneElseSends() throws Exception {
    // an approved change is released by the approval service, not by this gateway: expect it first, then cause it
    Command released = command("acme", "released");
    CompletableFuture<CommandResult> expected = gateway.expect(released.getCommandId());
    try (KafkaProducer<String, byte[]> approval = new KafkaProducer<>(Map.of("bootstrap.servers",
        EmbeddedKafkaCondition.getBroker().getBrokersAsString()), new StringSerializer(), new ByteArraySerializer())) {
      approval.send(new ProducerRecord<>(Topics.COMMANDS, "acme", SERDES.command().toBytes(released))).get();
    }
    // the stand-in pipeline may still be joining its group when this test runs first: wait for the
    // answer itself rather than within the gateway's 2 s (a timing bound is no behaviour)
    CommandResult result = expected.get(60, java.util.concurrent.TimeUnit.SECONDS);
    gateway.forget(released.getCommandId(), expected);
    assertThat(result).isNotNull();
    assertThat(result.getVersion()).isEqualTo(1L);
    assertThat(gateway.await("never-sent", gateway.expect("never-sent"))).as("no answer: null after the timeout").isNull();
  }

  @Test
  void shouldPublishAuditEventsOutsideThePipelineAndKnowThePartitions() {
    assertThat(gateway.partitions(Topics.COMMANDS)).isEqualTo(3);
    gateway.publish(Topics.AUDIT, "acme", new byte[] {1});
    EmbeddedKafkaBroker broker = EmbeddedKafkaCondition.getBroker();
    try (KafkaConsumer<String, byte[]> audit = new KafkaConsumer<>(Map.of("bootstrap.servers", broker.getBrokersAsString(), "group.id",
        "audit-reader", "auto.offset.reset", "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
      audit.subscribe(List.of(Topics.AUDIT));
      List<ConsumerRecord<String, byte[]>> seen = new java.util.ArrayList<>();
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
        audit.poll(Duration.ofMillis(100)).forEach(seen::add);
        return !seen.isEmpty();
      });
      assertThat(seen.getFirst().key()).isEqualTo("acme");
    }
  }
}
