package io.hotswap.gateway.reads;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** The bounded waits of the gateway: until a local read shows what a write produced. */
public final class Waits {

  private Waits() {}

  /**
   * Reads until {@code done} holds, for at most {@code wait}, woken when {@code key} of {@code
   * store} reaches {@code minVersion} on this instance instead of polling (the hot path: every
   * config write's answer); then answers 503 ({@link StoreRouter.StoreUnavailable}) with {@code
   * unavailable}'s message. The waiter registers before each look, so no update is missed.
   */
  public static <T> T until(Supplier<T> read, Predicate<T> done, StoreUpdates updates, String store, String key, long minVersion,
                            Duration wait, Supplier<String> unavailable) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      CompletableFuture<Void> armed = updates.expect(store, key, minVersion);
      try {
        T value = read.get();
        if (done.test(value)) {
          return value;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new StoreRouter.StoreUnavailable(unavailable.get());
        }
        try {
          armed.get(left, TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
          // look once more below; the deadline decides
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StoreRouter.StoreUnavailable(unavailable.get());
        }
      } finally {
        updates.forget(store, key, armed);
      }
    }
  }

  /**
   * Reads until {@code done} holds, for at most {@code wait}, looking every 5 ms (for what the
   * read side does not signal: tenants, schemas, profiles, deployments, approvals, instances); then
   * answers 503 ({@link StoreRouter.StoreUnavailable}) with {@code unavailable}'s message.
   */
  public static <T> T until(Supplier<T> read, Predicate<T> done, Duration wait, Supplier<String> unavailable) {
    long deadline = System.nanoTime() + wait.toNanos();
    T value = read.get();
    while (!done.test(value) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      value = read.get();
    }
    if (!done.test(value)) {
      throw new StoreRouter.StoreUnavailable(unavailable.get());
    }
    return value;
  }
}
