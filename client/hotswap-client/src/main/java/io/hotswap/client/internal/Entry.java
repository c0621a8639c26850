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
  static final Entry SKIP = new Entry(null, null, null);

  private final String liveKey;
  private final LiveConfig record;
  private final ConfigValue value;
  private final AtomicBoolean warned = new AtomicBoolean();
  private volatile Object parsed;
  private volatile boolean isParsed;

  Entry(String liveKey, LiveConfig record, ConfigValue value) {
    this.liveKey = liveKey;
    this.record = record;
    this.value = value;
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

  long version() {
    return record.getVersion();
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

  /** Same record content (version and value): a file's value Kafka confirmed is no change. */
  boolean sameAs(Entry other) {
    return other != null && record.getVersion() == other.record.getVersion()
        && java.util.Objects.equals(record.getValue(), other.record.getValue());
  }
}
