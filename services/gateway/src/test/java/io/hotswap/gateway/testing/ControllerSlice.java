package io.hotswap.gateway.testing;

import io.hotswap.avro.Tenant;
import io.hotswap.gateway.config.SecretVault;
import io.hotswap.gateway.pipeline.CommandGateway;
import io.hotswap.gateway.pipeline.Writes;
import io.hotswap.gateway.ratelimit.RateLimits;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.security.AccessMatrix;
import io.hotswap.protocol.AvroSchemas;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

/**
 * What a controller's MVC slice test shares: the pipeline and the router stood in for (so no
 * Kafka), the real write path and tenant scope over them, and the caller's token put in the
 * security context as the resource server would (the security filters themselves are checked in
 * the integration suite). A test names its controller with {@code @WebMvcTest}, turns the filters
 * off and imports {@code TenantScope} and {@link Beans}.
 */
public abstract class ControllerSlice {

  /** The beans a controller needs beside the stood-in ones. */
  @TestConfiguration
  public static class Beans {
    @Bean
    Duration readYourWritesWait() {
      return Duration.ofMillis(100);
    }

    /** The problem handler counts refusals; a slice has no metrics auto-configuration. */
    @Bean
    io.micrometer.core.instrument.MeterRegistry meterRegistry() {
      return new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    }

    @Bean
    AccessMatrix accessMatrix() {
      return AccessMatrix.load();
    }

    /** The real write path, over the stood-in pipeline and router. */
    @Bean
    Writes writes(CommandGateway commands, StoreRouter router, Duration readYourWritesWait) {
      return new Writes(commands, router, readYourWritesWait);
    }
  }

  @Autowired
  protected MockMvcTester mvc;
  @MockitoBean
  protected CommandGateway commands;
  @MockitoBean
  protected StoreRouter router;
  @MockitoBean
  protected RateLimits rateLimits;
  @MockitoBean
  protected SecretVault vault;

  @BeforeAll
  static void trust() {
    AvroSchemas.trustGeneratedClasses();
  }

  /** The tenants as the gateway's global store shows them: none unless a test puts one there ({@link #tenantGuards}). */
  @SuppressWarnings("unchecked")
  protected final ReadOnlyKeyValueStore<String, Tenant> tenants = org.mockito.Mockito.mock(ReadOnlyKeyValueStore.class);

  @SuppressWarnings("unchecked")
  private final ReadOnlyKeyValueStore<String, io.hotswap.avro.ApprovalRequest> approvals = org.mockito.Mockito.mock(ReadOnlyKeyValueStore.class);

  @BeforeEach
  void tenantStore() {
    org.mockito.BDDMockito.given(router.<Tenant>globalStore(ReadTopology.TENANTS_STORE)).willReturn(tenants);
    // every held change's approval is readable at once
    org.mockito.BDDMockito.given(approvals.get(org.mockito.ArgumentMatchers.anyString())).willReturn(new io.hotswap.avro.ApprovalRequest());
    org.mockito.BDDMockito.given(router.<io.hotswap.avro.ApprovalRequest>globalStore(ReadTopology.APPROVALS_STORE)).willReturn(approvals);
  }

  /** Puts the tenant in the store with this approval policy (a tenant not there has the default one: staging and production). */
  protected void tenantGuards(String tenantId, List<String> guarded, int levels) {
    Tenant t = Tenant.newBuilder().setTenantId(tenantId).setName(tenantId).setTier(io.hotswap.avro.Tier.PRO)
        .setStatus(io.hotswap.avro.TenantStatus.ACTIVE).setMaxConfigs(100).setMaxEnvironments(4).setVersion(1)
        .setCreatedAt(java.time.Instant.EPOCH).setUpdatedAt(java.time.Instant.EPOCH).setUpdatedBy("test")
        .setGuardedEnvironments(guarded).setApprovalLevels(levels).build();
    org.mockito.BDDMockito.given(tenants.get(tenantId)).willReturn(t);
  }

  /** The pipeline's answer to a change it holds for approval: PENDING, 202, the approval's id. */
  protected static io.hotswap.avro.CommandResult heldForApproval(String approvalId, String environment) {
    return io.hotswap.avro.CommandResult.newBuilder().setCommandId(approvalId).setTenantId("acme").setOutcome(io.hotswap.avro.Outcome.PENDING)
        .setStatus(202).setStage("approval").setResourceId(approvalId)
        .setDetail("held for approval: " + environment + " is a guarded environment").setDecidedAt(java.time.Instant.EPOCH).build();
  }

  @AfterEach
  void forget() {
    SecurityContextHolder.clearContext();
  }

  /** The caller: its subject, one role, and the tenants its token is scoped to (none: every tenant). */
  protected static void callerIs(String subject, String role, List<String> tenants) {
    Jwt.Builder jwt = Jwt.withTokenValue("t").header("alg", "HS256").subject(subject).claim("roles", List.of(role));
    if (!tenants.isEmpty()) {
      jwt.claim("tenants", tenants);
    }
    SecurityContextHolder.getContext().setAuthentication(new JwtAuthenticationToken(jwt.build()));
  }
}
