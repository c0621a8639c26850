package io.hotswap.gateway.config;

import io.hotswap.gateway.pipeline.Writes;
import org.springframework.http.ResponseEntity;

import io.hotswap.avro.ConfigEntry;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.reads.StoreUpdates;
import io.hotswap.gateway.reads.Waits;
import java.time.Duration;
import java.util.Objects;

/**
 * Waits, bounded, until the owner serves a version a write just produced (woken by the read
 * side's {@link StoreUpdates}, not by polling): in the current-value
 * store and in the version history (the two are written in one rollout transaction but reach the
 * gateway's stores through two topics, so a diff or history read right after a write could
 * otherwise miss the new version).
 */
public final class ReadYourWrites {

  private ReadYourWrites() {}

  /**
   * The entry at {@code key} in partition {@code partition}'s stores once its version is at least
   * {@code minVersion} and that version is in the history (at once when {@code minVersion} is null); else 503.
   */
  public static ConfigEntry await(StoreRouter router, int partition, String key, Long minVersion, Duration wait) {
    if (minVersion == null) {
      return router.currentEntry(partition, key);
    }
    StoreUpdates updates = router.updates();
    ConfigEntry entry = Waits.until(() -> router.currentEntry(partition, key), e -> e != null && e.getVersion() >= minVersion,
        updates, ReadTopology.CONFIG_STORE, key, minVersion, wait, () -> unreadable(key, minVersion));
    String versionKey = StoreKeys.version(entry.getTenantId(), entry.getEnvironment(), entry.getKey(), entry.getVersion());
    Waits.until(() -> router.versionEntry(partition, versionKey), Objects::nonNull, updates, ReadTopology.VERSIONS_STORE, versionKey, 0, wait,
        () -> unreadable(key, entry.getVersion()));
    return entry;
  }

  /** Where a write of a key shows: its version {@code version} (or later) on the owner, current value and history alike. */
  public static Writes.Shown shown(StoreRouter router, StoreKeys.ConfigId id, long version, Duration wait) {
    return new Writes.Shown(id.tenantId(), "/api/v1/configs/" + id.id(), "minVersion=" + version,
        partition -> ResponseEntity.ok(ConfigView.of(await(router, partition, id.storeKey(), version, wait))));
  }

  private static String unreadable(String key, long version) {
    return "version " + version + " of '" + key.replace('|', ':') + "' is applied but not readable yet; retry shortly";
  }
}
