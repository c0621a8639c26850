package io.hotswap.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.DeploymentStrategy;
import io.hotswap.avro.Outcome;
import io.hotswap.gateway.security.TenantScope;
import io.hotswap.gateway.testing.ControllerSlice;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

/**
 * Starting a deployment, as an MVC slice: the plan is checked before anything is read or sent, the
 * role decides which environments a caller deploys to, and the candidate goes out typed and sealed.
 * The key's owner is stood in for by the router: the key is a String, a secret for {@code db.password}.
 */
@WebMvcTest(controllers = DeploymentController.class)
@AutoConfigureMockMvc(addFilters = false)
@Import({TenantScope.class, ControllerSlice.Beans.class})
class DeploymentControllerTest extends ControllerSlice {

  @BeforeEach
  void owner() {
    // the owner answers a forwarded read of the key with its type, and of the deployment with the deployment
    given(router.route(eq("acme"), any(), any())).willAnswer(i -> {
      String uri = i.<HttpServletRequest>getArgument(1).getRequestURI();
      String type = uri.endsWith(":db.password") ? "Secret" : "String";
      return uri.startsWith("/api/v1/configs/")
          ? ResponseEntity.ok(("{\"type\":\"" + type + "\"}").getBytes(StandardCharsets.UTF_8))
          : ResponseEntity.ok(Map.of("status", "running"));
    });
    given(commands.submitOrReject(any())).willReturn(CommandResult.newBuilder().setCommandId("c").setTenantId("acme")
        .setOutcome(Outcome.APPLIED).setStatus(201).setVersion(1L).setStage("rollout").setDecidedAt(Instant.EPOCH).build());
  }

  private static void callerIs(String role) {
    callerIs("olga", role, List.of());
  }

  private MvcTestResult start(String body) {
    return mvc.post().uri("/api/v1/deployments").contentType(MediaType.APPLICATION_JSON).content(body).exchange();
  }

  private Command sent() {
    ArgumentCaptor<Command> sent = ArgumentCaptor.forClass(Command.class);
    verify(commands).submitOrReject(sent.capture());
    return sent.getValue();
  }

  @Test
  void shouldSendABlueGreenStartWithItsGreenInstances() {
    callerIs("Operator");
    tenantGuards("acme", List.of(), 1);
    MvcTestResult started = start("{\"configId\":\"acme:production:web.theme\",\"value\":\"green\",\"strategy\":\"blue-green\","
        + "\"targetTags\":[\"green\"],\"bakeTime\":\"PT1H\"}");
    assertThat(started).hasStatus(201).hasHeader("ETag", "\"1\"");
    assertThat(started).headers().hasValue("Location", "/api/v1/deployments/acme:" + sent().getDeployment().getDeploymentId());
    Command c = sent();
    assertThat(c.getType()).isEqualTo(CommandType.DEPLOYMENT_START);
    assertThat(c.getDeployment().getStrategy()).isEqualTo(DeploymentStrategy.BLUE_GREEN);
    assertThat(c.getDeployment().getTargetTags()).containsExactly("green");
    assertThat(c.getDeployment().getBakeTimeMs()).isEqualTo(Duration.ofHours(1).toMillis());
    assertThat(c.getConfig().getValue()).isEqualTo("green");
  }

  @Test
  void shouldRefuseABadPlanBeforeReadingOrSendingAnything() {
    callerIs("Operator");
    for (String plan : List.of("\"strategy\":\"canary\",\"steps\":[50,25]", "\"strategy\":\"blue-green\"",
        "\"strategy\":\"warp-speed\"", "\"strategy\":\"canary\",\"maxErrorRate\":2")) {
      MvcTestResult refused = start("{\"configId\":\"acme:qa:web.theme\",\"value\":\"x\"," + plan + "}");
      assertThat(refused).as(plan).hasStatus(400).hasContentType(MediaType.APPLICATION_PROBLEM_JSON);
    }
    verifyNoInteractions(commands, router);
  }

  @Test
  void shouldLetConfigManagersDeployOnlyToDevelopmentAndQaUnlessApproversReleaseIt() {
    callerIs("ConfigManager");
    tenantGuards("acme", List.of(), 1);
    MvcTestResult production = start("{\"configId\":\"acme:production:web.theme\",\"value\":\"x\"}");
    assertThat(production).hasStatus(403);
    assertThat(production).bodyJson().extractingPath("$.field").isEqualTo("environment");
    verifyNoInteractions(commands);
    assertThat(start("{\"configId\":\"acme:qa:web.theme\",\"value\":\"x\"}")).hasStatus(201);
  }

  @Test
  void shouldHoldADeploymentIntoAGuardedEnvironmentForItsApprovers() {
    callerIs("ConfigManager");
    tenantGuards("acme", List.of("staging", "production"), 2);
    given(commands.submitOrReject(any())).willReturn(heldForApproval("held-1", "production"));

    MvcTestResult held = start("{\"configId\":\"acme:production:web.theme\",\"value\":\"x\",\"strategy\":\"canary\"}");

    assertThat(held).hasStatus(202).hasHeader("Location", "/api/v1/approvals/held-1");
    assertThat(held).bodyJson().extractingPath("$.approvalId").isEqualTo("held-1");
    assertThat(held).bodyJson().extractingPath("$.strategy").isEqualTo("canary");
    assertThat(held).bodyJson().extractingPath("$.deploymentId").asString().startsWith("acme:d");
    Command c = sent();
    assertThat(c.getApprovalRequired()).as("marked on the tenant's policy").isTrue();
    assertThat(c.getApprovalLevels()).isEqualTo(2);
  }

  @Test
  void shouldSealASecretCandidate() {
    callerIs("Operator");
    tenantGuards("acme", List.of(), 1);
    given(vault.seal(eq("acme"), eq("staging"), eq("db.password"), eq("hunter3"), any(), eq("olga"))).willReturn("hsenc:v1:1:c2VhbGVk");
    assertThat(start("{\"configId\":\"acme:staging:db.password\",\"value\":\"hunter3\",\"strategy\":\"canary\"}")).hasStatus(201);
    assertThat(sent().getConfig().getValue()).isEqualTo("hsenc:v1:1:c2VhbGVk");
  }
}
