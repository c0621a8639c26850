package io.hotswap.client.internal;

import java.time.Instant;

/** What the client knows of its own freshness; written by the feed and the file, read by {@code status()}. */
final class FeedState {
  volatile boolean connected;
  volatile boolean caughtUp;
  volatile boolean servingFromFile;
  volatile long lag = -1;
  volatile Instant lastUpdate;
  volatile Instant freshAt;
  volatile Instant fileSavedAt;
  volatile String lastError;
}
