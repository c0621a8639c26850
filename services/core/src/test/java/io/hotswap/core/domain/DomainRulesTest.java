package io.hotswap.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotswap.avro.TenantStatus;
import io.hotswap.avro.Tier;
import io.hotswap.avro.ValueType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DomainRulesTest {

  @ParameterizedTest
  @ValueSource(strings = {"acme", "a-1", "ACME-corp-42", "abc"})
  void shouldAcceptValidTenantIds(String id) {
    assertThat(TenantIds.require(id)).isEqualTo(id);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ab", "acme_corp", "acme corp", "ünicode", "a.b.c"})
  void shouldRejectInvalidTenantIdsWithTheirRule(String id) {
    assertThatThrownBy(() -> TenantIds.require(id)).isInstanceOfSatisfying(Rejection.class, r -> {
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.field()).isEqualTo("tenantId");
      assertThat(r.detail()).contains("3 to 50 characters");
    });
    assertThat(TenantIds.isValid("x".repeat(51))).isFalse();
    assertThat(TenantIds.isValid(null)).isFalse();
  }

  @Test
  void shouldAcceptDotNotationKeysAndRejectOthers() {
    assertThat(ConfigKeys.isValid("feature.new_ui")).isTrue();
    assertThat(ConfigKeys.isValid("db.pool-size.max")).isTrue();
    assertThat(ConfigKeys.isValid("feature..x")).isFalse();
    assertThat(ConfigKeys.isValid(".feature")).isFalse();
    assertThat(ConfigKeys.isValid("1feature")).isFalse();
    assertThat(ConfigKeys.isValid("feature.")).isFalse();
    assertThat(ConfigKeys.isValid("a|b")).isFalse();
    assertThat(ConfigKeys.isValid("a".repeat(257))).isFalse();
    assertThatThrownBy(() -> ConfigKeys.require("bad key")).isInstanceOfSatisfying(Rejection.class,
        r -> assertThat(r.field()).isEqualTo("key"));
  }

  @Test
  void shouldCanonicaliseEnvironmentsAndRejectUnknownOnes() {
    assertThat(Environments.require("Production")).isEqualTo("production");
    assertThat(Environments.require("qa")).isEqualTo("qa");
    assertThatThrownBy(() -> Environments.require("prod")).isInstanceOfSatisfying(Rejection.class, r -> {
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.detail()).contains("development", "production");
    });
  }

  @Test
  void shouldCheckValuesAgainstTheirDeclaredType() {
    assertThat(ValueTypes.check(ValueType.NUMBER, " 42.50 ")).isEqualTo("42.50");
    assertThat(ValueTypes.check(ValueType.BOOLEAN, " true")).isEqualTo("true");
    assertMismatch(ValueType.BOOLEAN, "TRUE"); // JSON's spelling only: clients disagree about "True", "yes", "1"
    assertThat(ValueTypes.check(ValueType.JSON, "{\"a\":[1,2]}")).isEqualTo("{\"a\":[1,2]}");
    assertThat(ValueTypes.check(ValueType.STRING, "anything")).isEqualTo("anything");
    assertThat(ValueTypes.check(ValueType.SECRET, "s3cr3t")).isEqualTo("s3cr3t");
    assertMismatch(ValueType.NUMBER, "forty-two");
    assertMismatch(ValueType.BOOLEAN, "yes");
    assertMismatch(ValueType.JSON, "{not json");
    assertThatThrownBy(() -> ValueTypes.check(ValueType.STRING, null)).isInstanceOfSatisfying(Rejection.class,
        r -> assertThat(r.status()).isEqualTo(400));
  }

  @Test
  void shouldAcceptOneMegabyteAndRejectOneByteMore() {
    String max = "x".repeat(ValueTypes.MAX_VALUE_BYTES);
    assertThat(ValueTypes.check(ValueType.STRING, max)).hasSize(1024 * 1024);
    assertThatThrownBy(() -> ValueTypes.check(ValueType.STRING, max + "y")).isInstanceOfSatisfying(Rejection.class, r -> {
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.detail()).contains("1048577 bytes", "1048576");
    });
  }

  @Test
  void shouldParseTypeAndEnumNamesInAnyCase() {
    assertThat(ValueTypes.parse("Json")).isEqualTo(ValueType.JSON);
    assertThat(ValueTypes.display(ValueType.NUMBER)).isEqualTo("Number");
    assertThat(Texts.parse(Tier.class, "enterprise", "tier")).isEqualTo(Tier.ENTERPRISE);
    assertThat(Texts.parse(Tier.class, null, "tier")).isNull();
    assertThat(Texts.display(TenantStatus.SUSPENDED)).isEqualTo("Suspended");
    assertThatThrownBy(() -> Texts.parse(Tier.class, "gold", "tier")).isInstanceOfSatisfying(Rejection.class,
        r -> assertThat(r.detail()).contains("[Free, Pro, Enterprise]"));
    assertThatThrownBy(() -> ValueTypes.parse("Integer")).isInstanceOf(Rejection.class);
    assertThatThrownBy(() -> ValueTypes.parse(null)).isInstanceOf(Rejection.class);
    assertThat(Texts.abbreviate("y".repeat(100))).hasSize(60).endsWith("...");
  }

  @Test
  void shouldBuildAndParseCompositeKeysAndConfigIds() {
    assertThat(StoreKeys.config("acme", "qa", "a.b")).isEqualTo("acme|qa|a.b");
    assertThat(StoreKeys.version("acme", "qa", "a.b", 42)).isEqualTo("acme|qa|a.b|0000000000000000042");
    assertThat(StoreKeys.tenantOf("acme|qa|a.b")).isEqualTo("acme");
    assertThat(StoreKeys.tenantOf("acme")).isEqualTo("acme");
    StoreKeys.ConfigId id = StoreKeys.parseConfigId("acme:production:feature.new_ui");
    assertThat(id.storeKey()).isEqualTo("acme|production|feature.new_ui");
    assertThat(id.id()).isEqualTo("acme:production:feature.new_ui");
    for (String bad : new String[] {"acme", "acme:production", ":qa:x", "acme::x", "acme:qa:", "acme:prod:x", "a:qa:x"}) {
      assertThatThrownBy(() -> StoreKeys.parseConfigId(bad)).isInstanceOfSatisfying(Rejection.class,
          r -> assertThat(r.status()).isEqualTo(404));
    }
  }

  @Test
  void shouldInheritProductionFromStagingThenTheDefault() {
    assertThat(Environments.fallbacks("production")).containsExactly("staging", "development");
    assertThat(Environments.fallbacks("staging")).containsExactly("development");
    assertThat(Environments.fallbacks("qa")).containsExactly("development");
    assertThat(Environments.fallbacks("development")).isEmpty();
  }

  @Test
  void shouldGiveEachTierItsDefaultQuotas() {
    assertThat(Quotas.defaultMaxConfigs(Tier.FREE)).isLessThan(Quotas.defaultMaxConfigs(Tier.PRO));
    assertThat(Quotas.defaultMaxConfigs(Tier.PRO)).isLessThan(Quotas.defaultMaxConfigs(Tier.ENTERPRISE));
    assertThat(Quotas.defaultMaxEnvironments(Tier.FREE)).isEqualTo(2);
    assertThat(Quotas.defaultMaxEnvironments(Tier.ENTERPRISE)).isEqualTo(4);
  }

  private static void assertMismatch(ValueType type, String value) {
    assertThatThrownBy(() -> ValueTypes.check(type, value)).isInstanceOfSatisfying(Rejection.class, r -> {
      assertThat(r.status()).isEqualTo(422);
      assertThat(r.type()).isEqualTo("type-mismatch");
      assertThat(r.field()).isEqualTo("value");
    });
  }
}
