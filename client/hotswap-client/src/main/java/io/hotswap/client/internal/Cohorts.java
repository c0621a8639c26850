package io.hotswap.client.internal;

import io.hotswap.avro.LiveRollout;
import io.hotswap.avro.LiveVariant;
import io.hotswap.client.Choice;
import io.hotswap.client.Context;
import io.hotswap.client.Instance;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.utils.Utils;

/**
 * Evaluates a live record's rollout for one caller: a pure function of (rollout, instance,
 * context). In order: weighted A/B variants by a sticky hash, else canary targets (instance id or
 * tag), else a percentage of sticky hashes; everyone else gets the stable value.
 *
 * <p>The sticky hash is Kafka's murmur2 of {@code salt|attribute value} where the salt is the
 * live key ({@code tenant|key}): the same caller lands in the same bucket for every step of every
 * rollout of that key (raising 10% → 25% keeps the first 10% in), and buckets of different keys are
 * independent. Calls without a context are placed by the instance instead ({@link #forInstance}).
 * Not API: callers reach it through the client's getters and {@code choice}.
 */
public final class Cohorts {

  /** Percentage buckets: 0..9,999, i.e. steps of 0.01%. */
  static final int BUCKETS = 10_000;

  private Cohorts() {}

  /**
   * @param salt the live key ({@code tenant|key})
   * @param stableValue the record's value, for everyone outside the rollout
   */
  public static Choice choose(String salt, String stableValue, long stableVersion, LiveRollout rollout,
                              Instance instance, Context context) {
    if (rollout == null) {
      return new Choice(stableValue, stableVersion, Choice.STABLE);
    }
    String sticky = context == null ? null : context.get(rollout.getStickyBy());
    List<LiveVariant> variants = rollout.getVariants();
    if (!variants.isEmpty()) {
      if (sticky == null) {
        return new Choice(stableValue, stableVersion, Choice.STABLE);
      }
      LiveVariant v = variants.get(variant(salt, sticky, variants));
      return new Choice(v.getValue(), v.getVersion(), v.getName());
    }
    if (instance != null && (rollout.getTargetInstances().contains(instance.instanceId()) || hasAnyTag(instance, rollout.getTargetTags()))) {
      return candidate(rollout);
    }
    Double percentage = rollout.getPercentage();
    if (percentage != null && sticky != null && bucket(salt, sticky) < percentage * (BUCKETS / 100.0)) {
      return candidate(rollout);
    }
    return new Choice(stableValue, stableVersion, Choice.STABLE);
  }

  /**
   * The arm an instance serves to calls without a context (the plain getters, JSON, profiles, the
   * Spring property source): named target instances and tags get the candidate; a percentage is a
   * share of instances, by a sticky hash of the instance id; an A/B test splits instances the same
   * way. So blue-green and rolling reach exactly their instances, and a 10 % canary 10 % of them.
   */
  public static Choice forInstance(String salt, String stableValue, long stableVersion, LiveRollout rollout, Instance instance) {
    if (rollout == null) {
      return new Choice(stableValue, stableVersion, Choice.STABLE);
    }
    String id = instance.instanceId();
    List<LiveVariant> variants = rollout.getVariants();
    if (!variants.isEmpty()) {
      LiveVariant v = variants.get(variant(salt, id, variants));
      return new Choice(v.getValue(), v.getVersion() == null ? stableVersion : v.getVersion(), v.getName());
    }
    if (rollout.getTargetInstances().contains(id) || hasAnyTag(instance, rollout.getTargetTags())) {
      return candidate(rollout);
    }
    Double percentage = rollout.getPercentage();
    if (percentage != null && bucket(salt, id) < percentage * (BUCKETS / 100.0)) {
      return candidate(rollout);
    }
    return new Choice(stableValue, stableVersion, Choice.STABLE);
  }

  private static boolean hasAnyTag(Instance instance, List<String> wanted) {
    for (String t : wanted) {
      if (instance.tags().contains(t)) {
        return true;
      }
    }
    return false;
  }

  private static Choice candidate(LiveRollout rollout) {
    return new Choice(rollout.getCandidate(), rollout.getCandidateVersion(), Choice.CANDIDATE);
  }

  /** The caller's percentage bucket, 0..9,999; stable for a (salt, sticky value). */
  public static int bucket(String salt, String sticky) {
    return (int) (hash(salt, sticky) % BUCKETS);
  }

  /** Index of the variant a caller gets: weights are relative, zero weights never win. */
  public static int variant(String salt, String sticky, List<LiveVariant> variants) {
    long total = 0;
    for (LiveVariant v : variants) {
      total += Math.max(0, v.getWeight());
    }
    if (total == 0) {
      return 0;
    }
    long point = hash(salt, sticky) % total;
    long upTo = 0;
    for (int i = 0; i < variants.size(); i++) {
      upTo += Math.max(0, variants.get(i).getWeight());
      if (point < upTo) {
        return i;
      }
    }
    return variants.size() - 1;
  }

  private static long hash(String salt, String sticky) {
    byte[] bytes = (salt + '|' + sticky).getBytes(StandardCharsets.UTF_8);
    return Utils.murmur2(bytes) & 0x7fffffffL;
  }
}
