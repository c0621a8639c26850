package io.hotswap.client.test;

import io.hotswap.avro.LiveConfig;
import io.hotswap.avro.LiveKind;
import io.hotswap.avro.LiveRollout;
import io.hotswap.avro.LiveVariant;
import io.hotswap.avro.ValueType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A value as the platform would publish it to a running service — a typed key or a profile, with
 * its version and, if you want one, a rollout — for {@link InMemoryHotSwap} and
 * {@link TestSnapshots}. Immutable: every method returns a new value.
 *
 * <pre>{@code
 * TestValue.bool("acme", "feature.new_ui", true).version(3)
 * TestValue.string("acme", "checkout.flow", "old").canary("new", 25.0, "userId")
 * TestValue.profile("acme", "checkout", "{\"timeoutMs\": 250}", "1.2.0")
 * }</pre>
 */
public final class TestValue {

  private final String tenant;
  private final String key;
  private final String type;
  private final String text;
  private final boolean profile;
  private final String semver;
  private final long version;
  private final Instant updatedAt;
  private final Rollout rollout;

  private TestValue(String tenant, String key, String type, String text, boolean profile, String semver, long version, Instant updatedAt,
                    Rollout rollout) {
    this.tenant = Objects.requireNonNull(tenant, "tenant");
    this.key = Objects.requireNonNull(key, "key");
    this.type = type;
    this.text = text;
    this.profile = profile;
    this.semver = semver;
    this.version = version;
    this.updatedAt = updatedAt;
    this.rollout = rollout;
  }

  private static TestValue of(String tenant, String key, String type, String text) {
    return new TestValue(tenant, key, type, text, false, null, 1, Instant.EPOCH, null);
  }

  public static TestValue string(String tenant, String key, String text) {
    return of(tenant, key, "STRING", text);
  }

  public static TestValue number(String tenant, String key, Number value) {
    return of(tenant, key, "NUMBER", value.toString());
  }

  public static TestValue bool(String tenant, String key, boolean value) {
    return of(tenant, key, "BOOLEAN", Boolean.toString(value));
  }

  public static TestValue json(String tenant, String key, String json) {
    return of(tenant, key, "JSON", json);
  }

  /** A secret in clear text: {@link InMemoryHotSwap} seals it as the platform does and its client opens it. */
  public static TestValue secret(String tenant, String key, String clearText) {
    return of(tenant, key, "SECRET", clearText);
  }

  /** A tenant's profile of a service: a JSON document with its semantic version. */
  public static TestValue profile(String tenant, String service, String json, String semver) {
    return new TestValue(tenant, service, "JSON", json, true, Objects.requireNonNull(semver, "semver"), 1, Instant.EPOCH, null);
  }

  public TestValue version(long version) {
    return new TestValue(tenant, key, type, text, profile, semver, version, updatedAt, rollout);
  }

  public TestValue updatedAt(Instant updatedAt) {
    return new TestValue(tenant, key, type, text, profile, semver, version, updatedAt, rollout);
  }

  /** A percentage of callers, by a sticky hash of a context attribute, get the candidate (version + 1). */
  public TestValue canary(String candidate, double percentage, String stickyBy) {
    return withRollout(new Rollout(stickyBy, candidate, List.of(), List.of(), percentage, List.of()));
  }

  /** These instances (by id) get the candidate, as in blue-green or a rolling batch. */
  public TestValue forInstances(String candidate, String... instanceIds) {
    return withRollout(new Rollout("userId", candidate, List.of(instanceIds), List.of(), null, List.of()));
  }

  /** Instances carrying any of these tags get the candidate. */
  public TestValue forTags(String candidate, String... tags) {
    return withRollout(new Rollout("userId", candidate, List.of(), List.of(tags), null, List.of()));
  }

  /** An A/B test: callers are split by a sticky hash of a context attribute over weighted variants. */
  public TestValue variants(String stickyBy, Variant... variants) {
    return withRollout(new Rollout(stickyBy, null, List.of(), List.of(), null, List.of(variants)));
  }

  private TestValue withRollout(Rollout r) {
    return new TestValue(tenant, key, type, text, profile, semver, version, updatedAt, r);
  }

  /** One arm of an A/B test. */
  public record Variant(String name, int weight, String value) {
    public static Variant of(String name, int weight, String value) {
      return new Variant(name, weight, value);
    }
  }

  private record Rollout(String stickyBy, String candidate, List<String> instances, List<String> tags, Double percentage,
                         List<Variant> variants) {}

  String tenant() {
    return tenant;
  }

  boolean isSecret() {
    return "SECRET".equals(type);
  }

  /** The live topic's key: {@code tenant|key}, {@code tenant|profile:<service>}. */
  String liveKey() {
    return tenant + '|' + liveName();
  }

  private String liveName() {
    return profile ? "profile:" + key : key;
  }

  /** The record the platform would publish; {@code seal} turns a clear text into what the topic carries. */
  LiveConfig toRecord(String environment, UnaryOperator<String> seal) {
    LiveConfig.Builder b = LiveConfig.newBuilder().setTenantId(tenant).setEnvironment(environment).setKey(liveName())
        .setValue(text == null ? null : seal.apply(text)).setValueType(ValueType.valueOf(type)).setVersion(version).setUpdatedAt(updatedAt)
        .setKind(profile ? LiveKind.PROFILE : LiveKind.KEY).setSemver(semver);
    if (rollout != null) {
      List<LiveVariant> variants = new ArrayList<>();
      long v = version;
      for (Variant variant : rollout.variants) {
        variants.add(LiveVariant.newBuilder().setName(variant.name()).setWeight(variant.weight())
            .setValue(variant.value() == null ? null : seal.apply(variant.value())).setVersion(++v).build());
      }
      b.setRollout(LiveRollout.newBuilder().setRolloutId("test-" + liveKey()).setStickyBy(rollout.stickyBy)
          .setCandidate(rollout.candidate == null ? null : seal.apply(rollout.candidate))
          .setCandidateVersion(rollout.candidate == null ? null : version + 1).setTargetInstances(rollout.instances)
          .setTargetTags(rollout.tags).setPercentage(rollout.percentage).setVariants(variants).build());
    }
    return b.build();
  }
}
