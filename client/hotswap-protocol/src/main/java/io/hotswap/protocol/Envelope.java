package io.hotswap.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Envelope encryption of secret values with AES-256-GCM: each tenant has data keys (versioned),
 * each data key is wrapped by the master key, and a secret value is stored only as
 * {@code hsenc:v1:<keyVersion>:<base64(iv | ciphertext | tag)>}. The associated data binds a
 * ciphertext to its tenant, environment and key, so it can't be replayed under another key.
 */
public final class Envelope {

  public static final String PREFIX = "hsenc:v1:";
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Envelope() {}

  /** A parsed ciphertext: which data key version encrypted it. */
  public record Sealed(int keyVersion, byte[] payload) {}

  public static SecretKey newDataKey() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return new SecretKeySpec(key, "AES");
  }

  /** A 32-byte AES key; throws when the material is not 32 bytes. */
  public static SecretKey aesKey(byte[] material) {
    if (material.length != 32) {
      throw new IllegalArgumentException("an AES-256 key is 32 bytes, got " + material.length);
    }
    return new SecretKeySpec(material, "AES");
  }

  /** Fingerprint of the master key (first 8 bytes of its SHA-256), safe to store. */
  public static String keyId(SecretKey master) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(master.getEncoded()), 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static byte[] wrap(SecretKey master, SecretKey dataKey, String tenantId) {
    return seal(master, dataKey.getEncoded(), ("key|" + tenantId).getBytes(StandardCharsets.UTF_8));
  }

  public static SecretKey unwrap(SecretKey master, byte[] wrapped, String tenantId) {
    return aesKey(open(master, wrapped, ("key|" + tenantId).getBytes(StandardCharsets.UTF_8)));
  }

  public static String encrypt(SecretKey dataKey, int keyVersion, String context, String plaintext) {
    byte[] sealed = seal(dataKey, plaintext.getBytes(StandardCharsets.UTF_8), context.getBytes(StandardCharsets.UTF_8));
    return PREFIX + keyVersion + ':' + Base64.getEncoder().encodeToString(sealed);
  }

  public static String decrypt(SecretKey dataKey, String context, String ciphertext) {
    Sealed sealed = parse(ciphertext);
    return new String(open(dataKey, sealed.payload(), context.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
  }

  public static boolean isSealed(String value) {
    try {
      parse(value);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  public static Sealed parse(String value) {
    if (value == null || !value.startsWith(PREFIX)) {
      throw new IllegalArgumentException("not an encrypted value");
    }
    int colon = value.indexOf(':', PREFIX.length());
    if (colon < 0) {
      throw new IllegalArgumentException("not an encrypted value");
    }
    try {
      int version = Integer.parseInt(value.substring(PREFIX.length(), colon));
      byte[] payload = Base64.getDecoder().decode(value.substring(colon + 1));
      if (version < 1 || payload.length < IV_BYTES + TAG_BITS / 8) {
        throw new IllegalArgumentException("not an encrypted value");
      }
      return new Sealed(version, payload);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an encrypted value", e);
    }
  }

  private static byte[] seal(SecretKey key, byte[] plaintext, byte[] aad) {
    try {
      byte[] iv = new byte[IV_BYTES];
      RANDOM.nextBytes(iv);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(aad);
      byte[] body = cipher.doFinal(plaintext);
      return ByteBuffer.allocate(iv.length + body.length).put(iv).put(body).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("encryption failed", e);
    }
  }

  private static byte[] open(SecretKey key, byte[] sealed, byte[] aad) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, IV_BYTES));
      cipher.updateAAD(aad);
      return cipher.doFinal(sealed, IV_BYTES, sealed.length - IV_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot decrypt: wrong key or tampered value", e);
    }
  }
}
