package io.hotswap.gateway.system;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** The one bounded wait of the gateway: polls a local read until it shows what a write produced. */
public final class Waits {

  private Waits() {}

  /**
   * Reads until {@code done} holds, for at most {@code wait}; then answers 503 ({@link
   * StoreRouter.StoreUnavailable}) with {@code unavailable}'s message.
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
