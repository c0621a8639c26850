package io.hotswap.client.internal;

import io.hotswap.avro.LiveConfig;
import io.hotswap.client.Choice;
import io.hotswap.client.ConfigValue;
import io.hotswap.client.Context;
import io.hotswap.client.Instance;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/** One applied value: the live record, the value callers see, and its lazily parsed form. */
public final class Entry {

  /** A record this client passes over (another tenant's, or unreadable). */
  static final Entry SKIP = new Entry(null, null, null, null);

  private final String liveKey;
  private final LiveConfig record;
  private final ConfigValue value;
  /** The text of the arm this instance serves, as the topic carries it (ciphertext for a secret). */
  private final String served;
  private final AtomicBoolean warned = new AtomicBoolean();
  private volatile Object parsed;
  private volatile boolean isParsed;

  Entry(String liveKey, LiveConfig record, ConfigValue value, String served) {
    this.liveKey = liveKey;
    this.record = record;
    this.value = value;
    this.served = served;
  }

  public ConfigValue value() {
    return value;
  }

  LiveConfig record() {
    return record;
  }

  String tenant() {
    return value.tenantId();
  }

  /** The version this instance serves (its arm's). */
  long version() {
    return value.version();
  }

  /** The value parsed once by the first getter that needs it (boolean, number, JSON tree); null if it doesn't parse. */
  public Object parsed(Function<String, Object> parser) {
    if (!isParsed) {
      String text = value.text();
      parsed = text == null ? null : parser.apply(text);
      isParsed = true;
    }
    return parsed;
  }

  /** True the first time only: a value of the wrong type is logged once, not on every call. */
  public boolean firstMismatch() {
    return warned.compareAndSet(false, true);
  }

  /** Which arm of the record's rollout this caller is in (the stable value when there is none). */
  public Choice choose(Instance instance, Context context) {
    return Cohorts.choose(liveKey, record.getValue(), record.getVersion(), record.getRollout(), instance, context);
  }

  /** Serves the same (arm, version, text): a file's value Kafka confirmed is no change. */
  boolean sameAs(Entry other) {
    return other != null && value.version() == other.value.version() && value.arm().equals(other.value.arm())
        && java.util.Objects.equals(served, other.served);
  }
}
