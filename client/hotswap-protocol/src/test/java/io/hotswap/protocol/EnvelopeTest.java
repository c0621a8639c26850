package io.hotswap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import javax.crypto.SecretKey;
import org.junit.jupiter.api.Test;

class EnvelopeTest {

  private final SecretKey master = Envelope.newDataKey();

  @Test
  void shouldEncryptSoOnlyTheRightDataKeyAndContextDecrypt() {
    SecretKey dataKey = Envelope.newDataKey();
    String sealed = Envelope.encrypt(dataKey, 3, "acme|production|db.password", "hunter2");

    assertThat(sealed).startsWith("hsenc:v1:3:").doesNotContain("hunter2");
    assertThat(Envelope.parse(sealed).keyVersion()).isEqualTo(3);
    assertThat(Envelope.decrypt(dataKey, "acme|production|db.password", sealed)).isEqualTo("hunter2");
    assertThat(Envelope.encrypt(dataKey, 3, "acme|production|db.password", "hunter2")).as("random IV").isNotEqualTo(sealed);
    assertThatThrownBy(() -> Envelope.decrypt(Envelope.newDataKey(), "acme|production|db.password", sealed))
        .hasMessageContaining("cannot decrypt");
    assertThatThrownBy(() -> Envelope.decrypt(dataKey, "globex|production|db.password", sealed))
        .as("bound to its tenant, environment and key").hasMessageContaining("cannot decrypt");
  }

  @Test
  void shouldWrapDataKeysWithTheMasterKeyPerTenant() {
    SecretKey dataKey = Envelope.newDataKey();
    byte[] wrapped = Envelope.wrap(master, dataKey, "acme");
    assertThat(Envelope.unwrap(master, wrapped, "acme").getEncoded()).isEqualTo(dataKey.getEncoded());
    assertThatThrownBy(() -> Envelope.unwrap(master, wrapped, "globex")).isInstanceOf(IllegalArgumentException.class);
    assertThat(Envelope.keyId(master)).hasSize(16).isEqualTo(Envelope.keyId(Envelope.aesKey(master.getEncoded())));
    assertThatThrownBy(() -> Envelope.aesKey(new byte[16])).hasMessageContaining("32 bytes");
  }

  @Test
  void shouldRecogniseOnlyWellFormedCiphertext() {
    assertThat(Envelope.isSealed("hunter2")).isFalse();
    assertThat(Envelope.isSealed("hsenc:v1:x:AAAA")).isFalse();
    assertThat(Envelope.isSealed("hsenc:v1:1:AAAA")).isFalse();
    assertThat(Envelope.isSealed("hsenc:v1:1")).isFalse();
    assertThat(Envelope.isSealed(null)).isFalse();
    assertThat(Envelope.isSealed(Envelope.encrypt(Envelope.newDataKey(), 1, "c", ""))).isTrue();
  }
}
