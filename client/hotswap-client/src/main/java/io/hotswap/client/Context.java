package io.hotswap.client;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Who a call is made for: attributes such as {@code userId}, {@code tenantId} or {@code requestId}
 * that a rollout hashes (its {@code stickyBy}) to place the caller in a percentage or an A/B
 * variant. Immutable.
 */
public final class Context {

  public static final Context EMPTY = new Context(Map.of());

  private final Map<String, String> attributes;

  private Context(Map<String, String> attributes) {
    this.attributes = attributes;
  }

  public static Context of(String attribute, String value) {
    return new Context(Map.of(Objects.requireNonNull(attribute, "attribute"), Objects.requireNonNull(value, "value")));
  }

  public static Context of(Map<String, String> attributes) {
    return new Context(Map.copyOf(attributes));
  }

  /** A copy with one more attribute. */
  public Context with(String attribute, String value) {
    Map<String, String> copy = new HashMap<>(attributes);
    copy.put(Objects.requireNonNull(attribute, "attribute"), Objects.requireNonNull(value, "value"));
    return new Context(Map.copyOf(copy));
  }

  /** The attribute's value, or null. */
  public String get(String attribute) {
    return attributes.get(attribute);
  }

  public Map<String, String> attributes() {
    return attributes;
  }

  @Override
  public String toString() {
    return "Context" + attributes;
  }
}
