package io.hotswap.gateway.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.Outcome;
import io.hotswap.avro.Tenant;
import io.hotswap.avro.TenantStatus;
import io.hotswap.avro.Tier;
import io.hotswap.gateway.security.TenantScope;
import io.hotswap.gateway.testing.ControllerSlice;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

/** Creating a tenant, as an MVC slice: what the command carries, what bad input and a scoped token get. */
@WebMvcTest(controllers = TenantController.class)
@AutoConfigureMockMvc(addFilters = false)
@Import({TenantScope.class, ControllerSlice.Beans.class})
class TenantControllerTest extends ControllerSlice {

  @SuppressWarnings("unchecked")
  private final ReadOnlyKeyValueStore<String, Tenant> tenants = mock(ReadOnlyKeyValueStore.class);

  @BeforeEach
  void stores() {
    given(router.<Tenant>globalStore(any())).willReturn(tenants);
    Instant now = Instant.EPOCH;
    given(tenants.get("acme")).willReturn(Tenant.newBuilder().setTenantId("acme").setName("Acme").setTier(Tier.ENTERPRISE)
        .setStatus(TenantStatus.ACTIVE).setMaxConfigs(10_000).setMaxEnvironments(4).setVersion(1).setCreatedAt(now).setUpdatedAt(now)
        .setUpdatedBy("alice").build());
    given(commands.submitOrReject(any())).willReturn(CommandResult.newBuilder().setCommandId("c").setTenantId("acme")
        .setOutcome(Outcome.APPLIED).setStatus(201).setVersion(1L).setStage("rollout").setDecidedAt(now).build());
  }

  private MvcTestResult create(String body) {
    return mvc.post().uri("/api/v1/tenants").contentType(MediaType.APPLICATION_JSON).content(body).exchange();
  }

  @Test
  void shouldSendTheTenantWithItsTierAndPolicyAndAnswerWithItAsStored() {
    callerIs("alice", "Admin", List.of());
    MvcTestResult created = create("{\"tenantId\":\"acme\",\"name\":\"Acme\",\"tier\":\"Enterprise\","
        + "\"guardedEnvironments\":[\"production\"],\"approvalLevels\":2,\"approvalTimeout\":\"PT4H\"}");
    assertThat(created).hasStatus(201).hasHeader("Location", "/api/v1/tenants/acme").hasHeader("ETag", "\"1\"");
    assertThat(created).bodyJson().extractingPath("$.tier").isEqualTo("Enterprise");
    ArgumentCaptor<Command> sent = ArgumentCaptor.forClass(Command.class);
    verify(commands).submitOrReject(sent.capture());
    assertThat(sent.getValue().getType()).isEqualTo(CommandType.TENANT_CREATE);
    assertThat(sent.getValue().getActor()).isEqualTo("alice");
    assertThat(sent.getValue().getTenant().getTier()).isEqualTo(Tier.ENTERPRISE);
    assertThat(sent.getValue().getTenant().getGuardedEnvironments()).containsExactly("production");
    assertThat(sent.getValue().getTenant().getApprovalLevels()).isEqualTo(2);
    assertThat(sent.getValue().getTenant().getApprovalTimeoutMs()).isEqualTo(Duration.ofHours(4).toMillis());
  }

  @Test
  void shouldRefuseBadInputAndAScopedTokensOtherTenantsWithoutSendingAnything() {
    callerIs("alice", "Admin", List.of());
    for (String bad : List.of("{\"tenantId\":\"Bad Id!\",\"tier\":\"Pro\"}", "{\"tenantId\":\"acme\",\"tier\":\"Platinum\"}",
        "{\"tenantId\":\"acme\",\"name\":\"\",\"tier\":\"Pro\"}", "{\"tenantId\":\"acme\",\"approvalTimeout\":\"soon\"}")) {
      assertThat(create(bad)).as(bad).hasStatus(400).hasContentType(MediaType.APPLICATION_PROBLEM_JSON);
    }
    callerIs("tina", "TenantAdmin", List.of("globex"));
    assertThat(create("{\"tenantId\":\"acme\",\"tier\":\"Pro\"}")).hasStatus(403);
    verifyNoInteractions(commands);
  }
}
