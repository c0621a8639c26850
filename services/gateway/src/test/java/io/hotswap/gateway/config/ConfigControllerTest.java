package io.hotswap.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.willThrow;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.Outcome;
import io.hotswap.avro.ValueType;
import io.hotswap.core.domain.Rejection;
import io.hotswap.gateway.pipeline.CommandGateway;
import io.hotswap.gateway.schema.SchemaCatalog;
import io.hotswap.gateway.security.TenantScope;
import io.hotswap.gateway.testing.ControllerSlice;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

/**
 * The config endpoints on their own (an MVC slice: no Kafka, no pipeline, no stores): what a request
 * becomes, what bad input gets, what the pipeline's answers turn into. The security filters are
 * left out here (the access matrix is checked in the integration suite); the caller's token is put
 * in the security context as the resource server would.
 */
@WebMvcTest(controllers = ConfigController.class)
@AutoConfigureMockMvc(addFilters = false)
@Import({TenantScope.class, ControllerSlice.Beans.class})
class ConfigControllerTest extends ControllerSlice {

  @MockitoBean
  SchemaCatalog schemas;

  private static void callerIs(String subject, List<String> tenants) {
    callerIs(subject, "ConfigManager", tenants);
  }

  private MvcTestResult post(String body) {
    return mvc.post().uri("/api/v1/configs").contentType(MediaType.APPLICATION_JSON).content(body).exchange();
  }

  private static CommandResult applied(long version) {
    return CommandResult.newBuilder().setCommandId("c").setTenantId("acme").setOutcome(Outcome.APPLIED).setStatus(201)
        .setVersion(version).setStage("rollout").setDecidedAt(Instant.EPOCH).build();
  }

  @Test
  void shouldTurnACreateIntoOneCommandAndAnswerWithTheStateTheOwnerServes() {
    callerIs("carla", List.of());
    given(commands.submitOrReject(any())).willReturn(applied(1));
    given(router.route(eq("acme"), any(), any())).willAnswer(i -> ResponseEntity.ok(Map.of("configId", "acme:qa:feature.x", "version", 1)));

    MvcTestResult result = post("{\"tenantId\":\"acme\",\"key\":\"feature.x\",\"value\":true,\"type\":\"Boolean\",\"environment\":\"qa\","
        + "\"tags\":[\"ui\"]}");

    assertThat(result).hasStatus(201).hasHeader("Location", "/api/v1/configs/acme:qa:feature.x").hasHeader("ETag", "\"1\"");
    assertThat(result).bodyJson().extractingPath("$.version").isEqualTo(1);
    ArgumentCaptor<Command> sent = ArgumentCaptor.forClass(Command.class);
    verify(commands).submitOrReject(sent.capture());
    Command c = sent.getValue();
    assertThat(c.getType()).isEqualTo(CommandType.CONFIG_CREATE);
    assertThat(c.getTenantId()).isEqualTo("acme");
    assertThat(c.getActor()).as("the token's subject is the audited actor").isEqualTo("carla");
    assertThat(c.getConfig().getEnvironment()).isEqualTo("qa");
    assertThat(c.getConfig().getValueType()).isEqualTo(ValueType.BOOLEAN);
    assertThat(c.getConfig().getValue()).isEqualTo("true");
    assertThat(c.getConfig().getTags()).containsExactly("ui");
    verify(rateLimits).charge("acme");
  }

  @Test
  void shouldRefuseBadInputWithProblemDetailsAndSubmitNothing() {
    callerIs("carla", List.of());
    record Case(String body, int status, String type, String field) {}
    for (Case bad : List.of(
        new Case("{\"tenantId\":\"acme\",\"key\":\"Bad Key!\",\"value\":1,\"type\":\"Number\"}", 400, "invalid-key", "key"),
        new Case("{\"tenantId\":\"acme\",\"key\":\"a.b\",\"value\":\"ten\",\"type\":\"Number\"}", 422, "type-mismatch", "value"),
        new Case("{\"tenantId\":\"acme\",\"key\":\"a.b\",\"value\":1,\"type\":\"Float\"}", 400, "invalid-type", "type"),
        new Case("{\"tenantId\":\"acme\",\"key\":\"a.b\",\"value\":1,\"type\":\"Number\",\"environment\":\"moon\"}", 400,
            "invalid-environment", "environment"),
        new Case("{\"tenantId\":\"acme\",\"key\":\"a.b\",\"value\":1,\"type\":\"Number\",\"tags\":[\"\"]}", 400, "invalid-tag", "tags"),
        new Case("{\"tenantId\":\"acme\",", 400, "malformed-request", null))) {
      MvcTestResult result = post(bad.body());
      assertThat(result).as(bad.body()).hasStatus(bad.status()).hasContentType(MediaType.APPLICATION_PROBLEM_JSON);
      assertThat(result).bodyJson().extractingPath("$.type").asString().endsWith("/" + bad.type());
      if (bad.field() != null) {
        assertThat(result).bodyJson().extractingPath("$.field").isEqualTo(bad.field());
      }
    }
    verifyNoInteractions(commands, router);
  }

  @Test
  void shouldAnswerAnotherTenantsKeyAsIfItDidNotExistWithoutChargingThatTenant() {
    callerIs("tina", List.of("globex"));
    MvcTestResult result = post("{\"tenantId\":\"acme\",\"key\":\"a.b\",\"value\":1,\"type\":\"Number\"}");
    assertThat(result).hasStatus(404);
    assertThat(result).bodyJson().extractingPath("$.type").asString().endsWith("/tenant-not-found");
    verifyNoInteractions(commands);
    verify(rateLimits, never()).charge(anyString());
  }

  @Test
  void shouldPassThePipelinesRefusalAndTimeoutOnAsProblems() {
    callerIs("carla", List.of());
    willThrow(Rejection.conflict("config-exists", "key 'a.b' already exists in development", "key")).given(commands).submitOrReject(any());
    MvcTestResult refused = post("{\"tenantId\":\"acme\",\"key\":\"a.b\",\"value\":1,\"type\":\"Number\"}");
    assertThat(refused).hasStatus(409);
    assertThat(refused).bodyJson().extractingPath("$.field").isEqualTo("key");

    willThrow(new CommandGateway.PipelineTimeout("cmd-7", Duration.ofSeconds(10))).given(commands).submitOrReject(any());
    MvcTestResult slow = post("{\"tenantId\":\"acme\",\"key\":\"a.b\",\"value\":1,\"type\":\"Number\"}");
    assertThat(slow).hasStatus(503);
    assertThat(slow).bodyJson().extractingPath("$.commandId").isEqualTo("cmd-7");
  }

  @Test
  void shouldSealASecretBeforeItLeavesTheGateway() {
    callerIs("carla", List.of());
    tenantGuards("acme", List.of(), 1);
    given(vault.seal(eq("acme"), eq("production"), eq("db.password"), eq("hunter2"), any(), eq("carla"))).willReturn("hsenc:v1:1:c2VhbGVk");
    given(commands.submitOrReject(any())).willReturn(applied(1));
    given(router.route(eq("acme"), any(), any())).willAnswer(i -> ResponseEntity.ok(Map.of("value", "******")));

    assertThat(post("{\"tenantId\":\"acme\",\"key\":\"db.password\",\"value\":\"hunter2\",\"type\":\"Secret\",\"environment\":\"production\"}"))
        .hasStatus(201).bodyText().doesNotContain("hunter2");
    ArgumentCaptor<Command> sent = ArgumentCaptor.forClass(Command.class);
    verify(commands).submitOrReject(sent.capture());
    assertThat(sent.getValue().getConfig().getValue()).isEqualTo("hsenc:v1:1:c2VhbGVk");
  }

  @Test
  void shouldMarkAChangeIntoAGuardedEnvironmentAndAnswerItsApproval() {
    callerIs("carla", List.of());
    tenantGuards("acme", List.of("production"), 1);
    given(commands.submitOrReject(any())).willReturn(heldForApproval("c-9", "production"));

    MvcTestResult held = post("{\"tenantId\":\"acme\",\"key\":\"a.b\",\"value\":1,\"type\":\"Number\",\"environment\":\"production\"}");

    assertThat(held).hasStatus(202).hasHeader("Location", "/api/v1/approvals/c-9");
    assertThat(held).bodyJson().extractingPath("$.status").isEqualTo("Pending");
    assertThat(held).bodyJson().extractingPath("$.configId").isEqualTo("acme:production:a.b");
    ArgumentCaptor<Command> sent = ArgumentCaptor.forClass(Command.class);
    verify(commands).submitOrReject(sent.capture());
    assertThat(sent.getValue().getApprovalRequired()).isTrue();
    verify(router, never()).route(any(), any(), any());

    // staging is not guarded by this tenant: the same change there is sent unmarked
    given(commands.submitOrReject(any())).willReturn(applied(1));
    given(router.route(eq("acme"), any(), any())).willAnswer(i -> ResponseEntity.ok(Map.of("version", 1)));
    assertThat(post("{\"tenantId\":\"acme\",\"key\":\"a.b\",\"value\":1,\"type\":\"Number\",\"environment\":\"staging\"}")).hasStatus(201);
    verify(commands, org.mockito.Mockito.times(2)).submitOrReject(sent.capture());
    assertThat(sent.getValue().getApprovalRequired()).isFalse();
  }
}
