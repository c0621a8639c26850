package io.hotswap.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JwtSecretsTest {

  @Test
  void shouldRequireLongEnoughJwtSecrets() {
    assertThat(JwtSecrets.hmacKey(JwtSecrets.generate()).getAlgorithm()).isEqualTo("HmacSHA256");
    assertThatThrownBy(() -> JwtSecrets.hmacKey("short")).hasMessageContaining("at least 32 bytes");
    assertThatThrownBy(() -> JwtSecrets.hmacKey(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
