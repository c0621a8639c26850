package io.hotswap.gateway.reads;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Wakes the requests waiting to read their own write (read-your-writes) when the read side applies
 * the record they wait for, so a write's answer needs no polling of the stores: the read topology
 * calls {@link #updated} for every record it puts into the current-value and history stores, and a
 * waiter registers with {@link #expect} before it looks at the store (so no update falls between
 * its look and its wait). The common case, no one waiting for a key, costs one map look-up.
 */
public final class StoreUpdates {

  private record Waiter(long minVersion, CompletableFuture<Void> signal) {}

  private final Map<String, CopyOnWriteArrayList<Waiter>> waiters = new ConcurrentHashMap<>();

  /** Completes once {@code key} of {@code store} is updated to at least {@code minVersion}; {@link #forget} it when done. */
  public CompletableFuture<Void> expect(String store, String key, long minVersion) {
    CompletableFuture<Void> signal = new CompletableFuture<>();
    waiters.computeIfAbsent(store + '\u0000' + key, k -> new CopyOnWriteArrayList<>()).add(new Waiter(minVersion, signal));
    return signal;
  }

  /** Removes a waiter (answered, timed out or satisfied without waiting). */
  public void forget(String store, String key, CompletableFuture<Void> signal) {
    waiters.computeIfPresent(store + '\u0000' + key, (k, list) -> {
      list.removeIf(w -> w.signal() == signal);
      return list.isEmpty() ? null : list;
    });
  }

  /** Called by the read topology after it stored {@code version} of {@code key}. */
  public void updated(String store, String key, long version) {
    CopyOnWriteArrayList<Waiter> list = waiters.get(store + '\u0000' + key);
    if (list == null) {
      return;
    }
    for (Waiter w : list) {
      if (version >= w.minVersion()) {
        w.signal().complete(null);
      }
    }
  }

  int waiting() {
    return waiters.values().stream().mapToInt(java.util.List::size).sum();
  }
}
