package io.hotswap.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotswap.core.testing.Tokens;
import io.hotswap.protocol.Serdes;
import io.hotswap.protocol.Topics;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/** The wiring every service shares, as a service's context sees it. */
class HotSwapAutoConfigurationTest {

  /** Serdes are given: the real bean registers schemas with a broker this test does not start. */
  private final ApplicationContextRunner contexts = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(HotSwapServiceAutoConfiguration.class, HotSwapStreamsAutoConfiguration.class))
      .withBean(Serdes.class, Serdes::create)
      .withPropertyValues("hotswap.service-name=validation", "hotswap.security.jwt.secret=" + Tokens.SECRET);

  @Test
  void shouldGiveEveryServiceTopicsAndTokenVerificationAndStreamsOnlyWhenItHasAnApplication() {
    contexts.withPropertyValues("hotswap.kafka.partitions=6", "hotswap.service-name=audit").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(Topics.class).partitions()).isEqualTo(6);
      assertThat(context.getBean(HotSwapProperties.class).getServiceName()).isEqualTo("audit");
      assertThat(context).doesNotHaveBean(org.springframework.kafka.config.StreamsBuilderFactoryBean.class);
      JwtDecoder tokens = context.getBean(JwtDecoder.class);
      assertThat(tokens.decode(Tokens.admin()).getClaimAsStringList("roles")).contains("Admin");
      assertThatThrownBy(() -> tokens.decode(Tokens.admin() + "x")).isInstanceOf(JwtException.class);
    });
  }

  @Test
  void shouldRefuseTokensOfAnotherIssuerAndASecretTooShortToSign() {
    contexts.withPropertyValues("hotswap.security.jwt.issuer=someone-else").run(context ->
        assertThatThrownBy(() -> context.getBean(JwtDecoder.class).decode(Tokens.admin())).isInstanceOf(JwtException.class));
    contexts.withPropertyValues("hotswap.security.jwt.secret=short").run(context ->
        assertThat(context).getFailure().rootCause().hasMessageContaining("at least 32 bytes"));
  }

  /** An application that only has this jar on its classpath (a service embedding the client, in a test JVM) keeps its own wiring. */
  @Test
  void shouldLeaveAnApplicationThatIsNoHotSwapServiceAlone() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(HotSwapServiceAutoConfiguration.class, HotSwapStreamsAutoConfiguration.class))
        .withPropertyValues("hotswap.streams.application-id=someone-elses").run(context -> {
          assertThat(context).doesNotHaveBean(JwtDecoder.class).doesNotHaveBean(Topics.class).doesNotHaveBean(HotSwapProperties.class);
        });
    StandardEnvironment environment = new StandardEnvironment();
    new HotSwapDefaults().postProcessEnvironment(environment, new SpringApplication());
    assertThat(environment.getPropertySources().contains("hotswapDefaults")).isFalse();
  }

  @Test
  void shouldStartFromThePlatformDefaultsAndLetTheServiceAndTheEnvironmentWin() {
    StandardEnvironment environment = new StandardEnvironment();
    environment.getPropertySources().addFirst(new MapPropertySource("service", Map.of(
        "hotswap.service-name", "rollout", "HOTSWAP_KAFKA_BOOTSTRAP", "broker:9093", "management.endpoint.health.show-details", "never")));
    new HotSwapDefaults().postProcessEnvironment(environment, new SpringApplication());
    assertThat(environment.getProperty("spring.kafka.bootstrap-servers")).isEqualTo("broker:9093");
    assertThat(environment.getProperty("spring.application.name")).isEqualTo("hotswap-rollout");
    assertThat(environment.getProperty("spring.kafka.streams.state-dir")).isEqualTo("./data/state/rollout");
    assertThat(environment.getProperty("management.endpoint.health.show-details")).isEqualTo("never");
    assertThat(environment.getProperty("hotswap.security.jwt.issuer")).isEqualTo("hotswap");
    assertThat(List.copyOf(environment.getPropertySources().stream().map(p -> p.getName()).toList())).last().isEqualTo("hotswapDefaults");
  }
}
