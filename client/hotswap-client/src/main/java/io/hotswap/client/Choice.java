package io.hotswap.client;

/**
 * What one caller gets from a key under a rollout: the value's text as it is on the live topic
 * (ciphertext for a secret: the getters decrypt), its version, and the arm that chose it —
 * {@value #STABLE}, {@value #CANDIDATE} or an A/B variant's name.
 */
public record Choice(String value, Long version, String arm) {
  public static final String STABLE = "stable";
  public static final String CANDIDATE = "candidate";
}
