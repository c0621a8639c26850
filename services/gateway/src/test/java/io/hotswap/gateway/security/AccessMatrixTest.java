package io.hotswap.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotswap.core.security.Role;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

class AccessMatrixTest {

  private final AccessMatrix matrix = AccessMatrix.load();

  /** Every endpoint the gateway's controllers declare, as "METHOD /path". */
  static Set<String> declaredEndpoints() throws ClassNotFoundException {
    ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
    scanner.addIncludeFilter(new AnnotationTypeFilter(RestController.class));
    Set<String> endpoints = new TreeSet<>();
    for (BeanDefinition bean : scanner.findCandidateComponents("io.hotswap.gateway")) {
      Class<?> type = Class.forName(bean.getBeanClassName());
      RequestMapping base = AnnotatedElementUtils.findMergedAnnotation(type, RequestMapping.class);
      String prefix = base == null || base.path().length == 0 ? "" : base.path()[0];
      for (Method m : type.getDeclaredMethods()) {
        RequestMapping mapping = AnnotatedElementUtils.findMergedAnnotation(m, RequestMapping.class);
        if (mapping == null) {
          continue;
        }
        String path = prefix + (mapping.path().length == 0 ? "" : mapping.path()[0]);
        if (path.startsWith("/internal/")) {
          continue; // gateway-to-gateway: no user role may call it (PeerFilter), so it has no row
        }
        for (var method : mapping.method()) {
          endpoints.add(method.name() + " " + path);
        }
      }
    }
    return endpoints;
  }

  @Test
  void shouldHaveARowForEveryEndpointAndNoRowWithoutOne() throws Exception {
    Set<String> rows = new TreeSet<>();
    matrix.rows().forEach(r -> rows.add(r.method() + " " + r.path()));
    assertThat(rows).as("access-matrix.tsv rows vs the controllers' endpoints: add a row for every new endpoint")
        .isEqualTo(declaredEndpoints());
  }

  @Test
  void shouldCoverEveryRoleAndGiveAdminEverything() {
    assertThat(matrix.roles()).containsExactlyInAnyOrder(Role.values());
    assertThat(matrix.rows()).allSatisfy(r -> assertThat(r.allowed()).contains(Role.ADMIN));
    assertThat(matrix.rows()).filteredOn(r -> r.method().equals("DELETE") && r.path().startsWith("/api/v1/configs"))
        .singleElement().satisfies(r -> assertThat(r.allowed()).containsExactly(Role.ADMIN));
    // writes are not for read-only roles; Approvers decide held changes and nothing else; dry runs
    // (POST .../validate, .../validate-dependencies) store nothing and are open to every role
    assertThat(matrix.rows()).filteredOn(r -> !r.method().equals("GET") && r.path().startsWith("/api/") && !dryRun(r))
        .allSatisfy(r -> assertThat(r.allowed()).doesNotContain(Role.VIEWER));
    assertThat(matrix.rows()).filteredOn(r -> !r.method().equals("GET") && r.path().startsWith("/api/") && r.allowed().contains(Role.APPROVER) && !dryRun(r))
        .extracting(AccessMatrix.Row::path).containsExactlyInAnyOrder("/api/v1/approvals/{approvalId}/approve", "/api/v1/approvals/{approvalId}/reject");
    assertThat(matrix.rows()).filteredOn(AccessMatrixTest::dryRun).hasSize(3)
        .allSatisfy(r -> assertThat(r.allowed()).containsExactlyInAnyOrder(Role.values()));
    // a breaking schema version is an Admin's call; a held change is an approver's (or the tenant's own admin's)
    assertThat(matrix.rows()).filteredOn(r -> r.path().startsWith("/api/v1/schemas/") && (r.path().endsWith("/approve") || r.path().endsWith("/reject")))
        .hasSize(2).allSatisfy(r -> assertThat(r.allowed()).containsExactly(Role.ADMIN));
    assertThat(matrix.rows()).filteredOn(r -> r.path().startsWith("/api/v1/approvals/") && !r.method().equals("GET")).hasSize(2)
        .allSatisfy(r -> assertThat(r.allowed()).containsExactlyInAnyOrder(Role.ADMIN, Role.APPROVER, Role.TENANT_ADMIN, Role.TENANT_OWNER));
  }

  @Test
  void shouldChargeReadsReadsWritesWritesAndBatchesPerItem() {
    assertThat(matrix.rows()).filteredOn(r -> r.method().equals("GET"))
        .allSatisfy(r -> assertThat(r.limit()).isIn(AccessMatrix.Limit.NONE, AccessMatrix.Limit.READ));
    assertThat(matrix.rows()).filteredOn(r -> r.limit() == AccessMatrix.Limit.READ && !r.method().equals("GET"))
        .allSatisfy(r -> assertThat(r.path()).as("only dry runs read with a POST").endsWith("/validate"));
    assertThat(matrix.rows()).filteredOn(r -> r.limit() == AccessMatrix.Limit.WRITE_PER_ITEM).extracting(AccessMatrix.Row::path)
        .containsExactly("/api/v1/configs:batch");
    assertThat(matrix.rows()).filteredOn(r -> r.limit() == AccessMatrix.Limit.DEPLOY).extracting(AccessMatrix.Row::path)
        .containsExactly("/api/v1/deployments", "/api/v1/deployments/{deploymentId}/request-approval", "/api/v1/plugins/{pluginId}/deployments");
    // stopping a bad rollout must never wait for a token (asking approvers again for a refused one is a new start)
    assertThat(matrix.rows()).filteredOn(r -> r.path().startsWith("/api/v1/deployments/") && !r.method().equals("GET")
            && !r.path().endsWith("/request-approval"))
        .allSatisfy(r -> assertThat(r.limit()).isEqualTo(AccessMatrix.Limit.NONE));
    assertThat(matrix.rows()).filteredOn(r -> r.path().startsWith("/api/v1/configs") && !r.method().equals("GET"))
        .allSatisfy(r -> assertThat(r.limit()).isNotEqualTo(AccessMatrix.Limit.NONE));
  }

  @Test
  void shouldBePrintedInTheReadmeExactly() throws Exception {
    Path readme = Path.of("").toAbsolutePath();
    while (!Files.exists(readme.resolve("README.md")) || !Files.exists(readme.resolve("hotswap"))) {
      readme = readme.getParent();
    }
    assertThat(Files.readString(readme.resolve("README.md")))
        .as("README.md must show the matrix from access-matrix.tsv; paste AccessMatrix.load().toMarkdown()")
        .contains(matrix.toMarkdown());
  }

  @Test
  void shouldRefuseAMalformedMatrix() {
    assertThatThrownBy(() -> AccessMatrix.parse(List.of("method\tpath\tlimit\tAdmin\tKing"))).hasMessageContaining("unknown role");
    assertThatThrownBy(() -> AccessMatrix.parse(List.of("method\tpath\tlimit\tAdmin", "GET\t/x\t-"))).hasMessageContaining("cells");
    assertThatThrownBy(() -> AccessMatrix.parse(List.of("method\tpath\tlimit\tAdmin", "GET\t/x\t-\tmaybe"))).hasMessageContaining("Y or -");
    assertThatThrownBy(() -> AccessMatrix.parse(List.of("method\tpath\tlimit\tAdmin", "GET\t/x\tlots\tY"))).hasMessageContaining("limit");
  }

  /** A dry run: a POST that checks something and stores nothing. */
  private static boolean dryRun(AccessMatrix.Row r) {
    return r.path().endsWith("/validate") || r.path().endsWith("/validate-dependencies");
  }
}
