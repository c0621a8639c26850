package io.hotswap.client;

import java.time.Duration;
import java.time.Instant;

/**
 * What a client knows about its own freshness — never silently stale.
 *
 * @param connected the consumer has a live connection to a broker
 * @param caughtUp the snapshot has reached the end offsets seen at start (and is tailing since)
 * @param lag records not yet applied (-1: unknown, e.g. broker unreachable)
 * @param lastUpdateAge time since the last change was applied (null: none yet)
 * @param servingFromFile the snapshot came from the local file and Kafka hasn't confirmed it yet
 * @param staleFor zero while connected and caught up; otherwise how long since the snapshot was
 *     last known to be current (for a file: since it was saved)
 * @param snapshotSize keys and profiles held
 * @param lastError the last Kafka problem seen, or null
 */
public record Status(boolean connected, boolean caughtUp, long lag, Duration lastUpdateAge, boolean servingFromFile,
                     Duration staleFor, int snapshotSize, Instant fileSavedAt, String lastError) {

  /** Connected, caught up and not serving a file. */
  public boolean fresh() {
    return connected && caughtUp && !servingFromFile;
  }
}
