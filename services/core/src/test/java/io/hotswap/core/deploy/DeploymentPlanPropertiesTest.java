package io.hotswap.core.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.hotswap.avro.DeploymentPayload;
import io.hotswap.avro.DeploymentStrategy;
import io.hotswap.core.domain.Rejection;
import io.hotswap.protocol.AvroSchemas;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Validation plans a deployment and rollout plans what validation passed on again: for any
 * request, a plan that is made once is made again unchanged, and a request refused is refused
 * with a 400 naming a field, never with anything else.
 */
class DeploymentPlanPropertiesTest {

  @BeforeContainer
  static void trust() {
    AvroSchemas.trustGeneratedClasses();
  }

  @Provide
  Arbitrary<DeploymentPayload> requests() {
    Arbitrary<List<Integer>> steps = Arbitraries.oneOf(
        Arbitraries.just(List.of()),
        Arbitraries.integers().between(0, 101).list().ofMaxSize(6),
        Arbitraries.integers().between(1, 99).list().ofMinSize(1).ofMaxSize(5).uniqueElements()
            .map(l -> l.stream().sorted().collect(java.util.stream.Collectors.toCollection(java.util.ArrayList::new)))
            .map(l -> { l.add(100); return l; }));
    Arbitrary<List<String>> targets = Arbitraries.of("green", "web-7", "eu-west").list().ofMaxSize(2).uniqueElements();
    return Builders.withBuilder(() -> DeploymentPayload.newBuilder().setDeploymentId("d1"))
        .use(Arbitraries.of(DeploymentStrategy.values()).injectNull(0.1)).in(DeploymentPayload.Builder::setStrategy)
        .use(steps).in(DeploymentPayload.Builder::setSteps)
        .use(targets).in(DeploymentPayload.Builder::setTargetInstances)
        .use(targets).in(DeploymentPayload.Builder::setTargetTags)
        .use(Arbitraries.longs().between(-1, 8L * 24 * 3600 * 1000).injectNull(0.3)).in(DeploymentPayload.Builder::setBakeTimeMs)
        .use(Arbitraries.doubles().between(-0.5, 1.5).injectNull(0.3)).in(DeploymentPayload.Builder::setMaxErrorRate)
        .use(Arbitraries.of("userId", "tenantId", "user id!").injectNull(0.3)).in(DeploymentPayload.Builder::setStickyBy)
        .build(DeploymentPayload.Builder::build);
  }

  @Property(tries = 2000)
  void planningAPlanAgainChangesNothing(@ForAll("requests") DeploymentPayload request) {
    DeploymentPayload once;
    try {
      once = DeploymentMachine.plan(request);
    } catch (Rejection r) {
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.field()).isNotBlank();
      return;
    }
    assertThat(DeploymentMachine.plan(once)).isEqualTo(once);
    assertThat(once.getSteps()).isNotEmpty().last().isEqualTo(once.getStrategy() == DeploymentStrategy.AB_TEST ? once.getSteps().getLast() : 100);
  }
}
