package io.hotswap.client.internal;

import io.hotswap.avro.LiveConfig;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the snapshot file until Kafka confirms it, and keeps the file current once caught up
 * (at most once per write interval, only when something changed).
 */
final class LocalSnapshot {

  private static final Logger LOG = LoggerFactory.getLogger(LocalSnapshot.class);

  private final SnapshotFile file;
  private final Settings settings;
  private final LiveValues values;
  private final FeedState state;
  private final Clock clock;
  private volatile boolean dirty;

  LocalSnapshot(SnapshotFile file, Settings settings, LiveValues values, FeedState state) {
    this.file = file;
    this.settings = settings;
    this.values = values;
    this.state = state;
    this.clock = settings.clock();
  }

  void load() {
    try {
      SnapshotFile.Loaded loaded = file.read();
      if (loaded == null) {
        return;
      }
      Map<String, Entry> fromFile = new ConcurrentHashMap<>();
      loaded.records().forEach((k, r) -> {
        if (settings.wanted(r.getTenantId())) {
          fromFile.put(k, values.entry(k, r));
        }
      });
      values.replace(fromFile);
      state.servingFromFile = true;
      state.fileSavedAt = loaded.savedAt();
      LOG.info("HotSwap client serving {} values from {} (saved {}) until Kafka confirms them", fromFile.size(), file.path(),
          loaded.savedAt());
    } catch (IOException | RuntimeException e) {
      LOG.warn("HotSwap client: ignoring unreadable snapshot file {}: {}", file.path(), e.toString());
    }
  }

  void changed() {
    dirty = true;
  }

  void saveIfDirty() {
    if (!dirty || !state.caughtUp) {
      return;
    }
    dirty = false;
    Map<String, LiveConfig> records = values.records();
    try {
      Instant now = clock.instant();
      file.write(records, now);
      state.fileSavedAt = now;
    } catch (IOException | RuntimeException e) {
      dirty = true;
      LOG.warn("HotSwap client: could not save the snapshot file {}: {}", file.path(), e.toString());
    }
  }
}
