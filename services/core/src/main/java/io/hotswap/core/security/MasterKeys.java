package io.hotswap.core.security;

import io.hotswap.protocol.Envelope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The platform's master key (base64 of 32 random bytes, from {@code hotswap.security.master-key}
 * or the file {@code hotswap.security.master-key-file}) and the keys derived from it. Each use —
 * wrapping tenants' data keys, signing gateway peers, chaining the audit trail — gets its own
 * derived key, so a key leaked from one use says nothing about another.
 */
public final class MasterKeys {

  private MasterKeys() {}

  /** The master key from a configured value, else from a file; fails when neither is set. */
  public static SecretKey load(String key, String file) {
    return Envelope.aesKey(Base64.getDecoder().decode(material(key, file)));
  }

  private static String material(String key, String file) {
    if (key != null && !key.isBlank()) {
      return key.strip();
    }
    if (file != null && !file.isBlank()) {
      try {
        return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the master key file " + file, e);
      }
    }
    throw new IllegalStateException("No master key: set HOTSWAP_MASTER_KEY (base64 of 32 random bytes) or hotswap.security.master-key-file");
  }

  /** An HMAC-SHA256 key for one purpose: HMAC(master, purpose). */
  public static SecretKey derive(SecretKey master, String purpose) {
    return new SecretKeySpec(hmac(new SecretKeySpec(master.getEncoded(), "HmacSHA256"), purpose.getBytes(StandardCharsets.UTF_8)), "HmacSHA256");
  }

  /** HMAC-SHA256 of {@code data} under {@code key}. */
  public static byte[] hmac(SecretKey key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
