package io.hotswap.client.internal;

import io.hotswap.avro.LiveConfig;
import io.hotswap.avro.LiveKind;
import io.hotswap.client.Change;
import io.hotswap.client.Choice;
import io.hotswap.client.ConfigValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The values getters read, by live key ({@code tenant|key}, {@code tenant|profile:<service>}):
 * replaced as a whole once when the feed catches up, then changed one record at a time (each
 * atomically). Getters never block and never touch the network.
 */
public final class LiveValues {

  private final Settings settings;
  private final DataKeys dataKeys;
  /**
   * tenant → key ({@code profile:<service>} for a profile) → entry: a getter looks up without
   * building a {@code tenant|key} string, so it allocates nothing.
   */
  private volatile Map<String, Map<String, Entry>> tenants = new ConcurrentHashMap<>();
  /** Bumped whenever the served values change (a record applied, a caught-up snapshot swapped in). */
  private final AtomicLong revision = new AtomicLong();

  LiveValues(Settings settings, DataKeys dataKeys) {
    this.settings = settings;
    this.dataKeys = dataKeys;
  }

  /** A key of a tenant ({@code profile:<service>} for a profile), or null. */
  public Entry get(String tenant, String key) {
    Map<String, Entry> keys = tenants.get(tenant);
    return keys == null ? null : keys.get(key);
  }

  /** Every value of a tenant (keys and profiles), by key ({@code profile:<service>} for profiles). */
  public Map<String, ConfigValue> all(String tenant) {
    Map<String, ConfigValue> out = new LinkedHashMap<>();
    tenants.getOrDefault(tenant, Map.of()).forEach((k, e) -> out.put(k, e.value()));
    return out;
  }

  public int size() {
    int size = 0;
    for (Map<String, Entry> keys : tenants.values()) {
      size += keys.size();
    }
    return size;
  }

  public long revision() {
    return revision.get();
  }

  /** Opens a secret's text as a caller's arm holds it (a candidate's or a variant's ciphertext). */
  public String decrypt(String tenant, String key, String sealed) {
    return dataKeys.decrypt(tenant, settings.environment(), key, sealed);
  }

  /** What callers see of a record: secrets decrypt on first use, with the tenant's data key. */
  Entry entry(String liveKey, LiveConfig record) {
    boolean profile = record.getKind() == LiveKind.PROFILE;
    String key = profile ? record.getKey().substring("profile:".length()) : record.getKey();
    String type = record.getValueType().name();
    // what this instance serves to calls without a context: its arm of the record's rollout, chosen once here
    Choice arm = Cohorts.forInstance(liveKey, record.getValue(), record.getVersion(), record.getRollout(), settings.instance());
    String raw = arm.value();
    Supplier<String> text = "SECRET".equals(type) && raw != null
        ? memo(() -> dataKeys.decrypt(record.getTenantId(), record.getEnvironment(), record.getKey(), raw))
        : () -> raw;
    // a profile's candidate document has its own semantic version
    String semver = Choice.CANDIDATE.equals(arm.arm()) && record.getRollout() != null && record.getRollout().getCandidateSemver() != null
        ? record.getRollout().getCandidateSemver() : record.getSemver();
    ConfigValue value = new ConfigValue(record.getTenantId(), key, profile ? ConfigValue.Kind.PROFILE : ConfigValue.Kind.KEY, type,
        arm.version(), semver, record.getUpdatedAt(), text, arm.arm());
    return new Entry(liveKey, record, value, raw);
  }

  /** Applies one value (null: removed); the change, or null when there was nothing to remove. */
  Change put(String liveKey, Entry now) {
    int bar = liveKey.indexOf('|');
    String tenant = liveKey.substring(0, bar);
    String key = liveKey.substring(bar + 1);
    Entry old = now == null ? removed(tenant, key) : tenants.computeIfAbsent(tenant, t -> new ConcurrentHashMap<>()).put(key, now);
    if (now == null && old == null) {
      return null;
    }
    revision.incrementAndGet();
    return change(old, now);
  }

  /**
   * Serves a whole new snapshot; returns what changed against what was served before (the
   * file's values), each like any change. A first load is not a change.
   */
  List<Change> replace(Map<String, Entry> staged) {
    Map<String, Entry> before = byLiveKey();
    Map<String, Map<String, Entry>> after = new ConcurrentHashMap<>();
    staged.forEach((liveKey, e) -> {
      int bar = liveKey.indexOf('|');
      after.computeIfAbsent(liveKey.substring(0, bar), t -> new ConcurrentHashMap<>()).put(liveKey.substring(bar + 1), e);
    });
    tenants = after;
    revision.incrementAndGet();
    List<Change> changes = new ArrayList<>();
    if (before.isEmpty()) {
      return changes;
    }
    Set<String> keys = new HashSet<>(before.keySet());
    keys.addAll(staged.keySet());
    for (String k : keys) {
      Entry old = before.get(k);
      Entry now = staged.get(k);
      if (old == null || !old.sameAs(now)) {
        changes.add(change(old, now));
      }
    }
    return changes;
  }

  /** The records as they came from the live topic (secrets still sealed), for the snapshot file. */
  Map<String, LiveConfig> records() {
    Map<String, LiveConfig> records = new LinkedHashMap<>();
    byLiveKey().forEach((k, e) -> records.put(k, e.record()));
    return records;
  }

  /** tenant|key (profile:service for profiles) → version: what this instance holds, for the registry. */
  Map<String, Long> versions() {
    Map<String, Long> versions = new HashMap<>();
    byLiveKey().values().forEach(e -> versions.put(e.tenant() + '|' + Reporter.reportedKey(e.value().key(), e.value().kind()), e.version()));
    return versions;
  }

  /** tenant|key → the arm served, for the values not served stable: the rest of the registry's view. */
  Map<String, String> arms() {
    Map<String, String> arms = new HashMap<>();
    byLiveKey().values().forEach(e -> {
      if (!Choice.STABLE.equals(e.value().arm())) {
        arms.put(e.tenant() + '|' + Reporter.reportedKey(e.value().key(), e.value().kind()), e.value().arm());
      }
    });
    return arms;
  }

  private Entry removed(String tenant, String key) {
    Map<String, Entry> keys = tenants.get(tenant);
    return keys == null ? null : keys.remove(key);
  }

  /** Every entry by its live key ({@code tenant|key}). */
  /** The values a selector picks, each as a change from nothing: what a subscriber that must act on the current state replays. */
  public List<Change> current(io.hotswap.client.Selector selector) {
    List<Change> current = new ArrayList<>();
    byLiveKey().values().forEach(e -> {
      Change c = change(null, e);
      if (selector.matches(c.tenantId(), c.key(), c.kind())) {
        current.add(c);
      }
    });
    return current;
  }

  private Map<String, Entry> byLiveKey() {
    Map<String, Entry> all = new LinkedHashMap<>();
    tenants.forEach((tenant, keys) -> keys.forEach((key, e) -> all.put(tenant + '|' + key, e)));
    return all;
  }

  private static Change change(Entry old, Entry now) {
    ConfigValue any = now != null ? now.value() : old.value();
    return new Change(any.tenantId(), any.key(), any.kind(), old == null ? null : old.value(), now == null ? null : now.value());
  }

  private static Supplier<String> memo(Supplier<String> s) {
    return new Supplier<>() {
      private volatile String value;

      @Override
      public String get() {
        String v = value;
        if (v == null) {
          v = s.get();
          value = v;
        }
        return v;
      }
    };
  }
}
