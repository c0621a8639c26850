package io.hotswap.gateway.pipeline;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandType;
import io.hotswap.protocol.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.SmartLifecycle;

/**
 * Ready means a write can make the whole trip: after start, this gateway sends a {@code
 * PIPELINE_PROBE} command into every partition of the command topic (validation, approval and
 * rollout are partitioned alike) and becomes ready once rollout has answered each of them — every
 * stage running with its tasks assigned, its transactions working, and this gateway's results
 * reader receiving. Part of the readiness group (component {@code pipeline}). It is a start-up
 * check: once ready, a stage failing later shows in that stage's own health, not here, so that the
 * gateway keeps serving reads.
 */
public final class PipelineReadiness implements HealthIndicator, SmartLifecycle {

  private static final Logger LOG = LoggerFactory.getLogger(PipelineReadiness.class);
  /** Tenant ids of the probes start with this; a probe changes no tenant. */
  static final String PROBE_TENANT = "hotswap-probe";

  private final CommandGateway commands;
  private final AtomicBoolean running = new AtomicBoolean();
  private volatile Instant readySince;
  private volatile String progress = "not started";
  private volatile Thread prober;

  public PipelineReadiness(CommandGateway commands) {
    this.commands = commands;
  }

  @Override
  public Health health() {
    Instant ready = readySince;
    return ready != null ? Health.up().withDetail("readySince", ready.toString()).build()
        : Health.outOfService().withDetail("progress", progress).build();
  }

  @Override
  public void start() {
    running.set(true);
    Instant started = Instant.now();
    prober = Thread.ofVirtual().name("hotswap-pipeline-probe").start(() -> probe(started));
  }

  private void probe(Instant started) {
    int partitions = commands.partitions(Topics.COMMANDS);
    progress = "0 of " + partitions + " partitions answered";
    BitSet answered = new BitSet(partitions);
    for (int round = 0; running.get() && answered.cardinality() < partitions; round++) {
      if (round > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(200).toNanos()); // between rounds: no flood of probes
      }
      for (int p = answered.nextClearBit(0); p < partitions && running.get(); p = answered.nextClearBit(p + 1)) {
        try {
          io.hotswap.avro.CommandResult result = commands.submit(probe(tenantFor(p, partitions)));
          if (result.getOutcome() == io.hotswap.avro.Outcome.APPLIED && "rollout".equals(result.getStage())) {
            answered.set(p);
            progress = answered.cardinality() + " of " + partitions + " partitions answered";
          } else {
            // answered short of the end (a stage that does not know probes yet): not the whole trip
            progress = "partition " + p + ": " + result.getStage() + " answered " + result.getStatus() + " " + result.getDetail();
          }
        } catch (RuntimeException e) {
          progress = answered.cardinality() + " of " + partitions + " partitions answered; partition " + p + ": " + e.getMessage();
        }
      }
    }
    if (answered.cardinality() == partitions) {
      readySince = Instant.now();
      LOG.info("The pipeline answered a probe on each of {} partitions {} ms after start: ready", partitions,
          Duration.between(started, readySince).toMillis());
    }
  }

  /** A probe tenant id the producer's partitioner puts on {@code partition} (Kafka's murmur2 of the key). */
  static String tenantFor(int partition, int partitions) {
    for (int i = 0; ; i++) {
      String tenant = PROBE_TENANT + "-" + i;
      if (Utils.toPositive(Utils.murmur2(tenant.getBytes(StandardCharsets.UTF_8))) % partitions == partition) {
        return tenant;
      }
    }
  }

  private static Command probe(String tenant) {
    return Command.newBuilder()
        .setCommandId(UUID.randomUUID().toString())
        .setType(CommandType.PIPELINE_PROBE)
        .setTenantId(tenant)
        .setActor("hotswap-gateway")
        .setIssuedAt(Instant.now())
        .build();
  }

  @Override
  public void stop() {
    running.set(false);
    Thread t = prober;
    if (t != null) {
      t.interrupt();
    }
  }

  @Override
  public boolean isRunning() {
    return running.get();
  }

  /** After the command gateway (which it sends through). */
  @Override
  public int getPhase() {
    return Integer.MAX_VALUE - 1500;
  }
}
