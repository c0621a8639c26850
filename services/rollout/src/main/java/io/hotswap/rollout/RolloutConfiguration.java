package io.hotswap.rollout;

import io.hotswap.protocol.Serdes;
import java.time.Duration;
import org.apache.kafka.streams.StreamsBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Rollout's own wiring: its topology and its policies. Everything every service shares comes from hotswap-service-autoconfigure. */
@Configuration(proxyBeanMethods = false)
class RolloutConfiguration {

  @Bean
  Object rolloutTopology(StreamsBuilder builder, Serdes serdes,
                            io.hotswap.autoconfigure.HotSwapProperties hotswap,
                            @Value("${hotswap.retention.keep-last:100}") int keepLast,
                            @Value("${hotswap.retention.keep-tag:stable}") String keepTag,
                            @Value("${hotswap.retention.keep-for:P90D}") Duration keepFor,
                            @Value("${hotswap.instances.check-period:PT5S}") Duration checkPeriod,
                            @Value("${hotswap.instances.evict-after:PT2M}") Duration evictAfter,
                            @Value("${hotswap.instances.degraded-error-rate:0.05}") double degradedErrorRate,
                            @Value("${hotswap.instances.degraded-p99-ms:1000}") double degradedP99Ms,
                            @Value("${hotswap.deployments.tick:PT1S}") Duration deploymentTick,
                            @Value("${hotswap.deployments.min-requests:20}") long minRequests,
                            @Value("${hotswap.deployments.max-error-rate-increase:0.02}") double maxErrorRateIncrease,
                            @Value("${hotswap.deployments.max-p99-ratio:2.0}") double maxP99Ratio,
                            io.micrometer.core.instrument.MeterRegistry meters) {
    RolloutTopology.build(builder, serdes, hotswap.getIdempotency().getWindow(), new Retention(keepLast, keepTag, keepFor),
        new InstanceRegistry.Policy(checkPeriod, evictAfter, degradedErrorRate, degradedP99Ms), new DeploymentApplier.Policy(deploymentTick, minRequests,
            maxErrorRateIncrease, maxP99Ratio), new RolloutMetrics(meters));
    return RolloutTopology.class;
  }
}
