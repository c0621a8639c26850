package io.hotswap.client.internal;

import io.hotswap.client.Change;
import io.hotswap.client.ChangeListener;
import io.hotswap.client.HotSwapClient.ApplyObserver;
import io.hotswap.client.Selector;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who hears of changes: subscriptions, each with a thread of its own so a slow listener delays
 * only itself and sees its changes in order; and apply observers, called on the feed's thread.
 */
public final class Listeners {

  private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);

  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private final List<ApplyObserver> observers = new CopyOnWriteArrayList<>();
  private final AtomicLong errors = new AtomicLong();
  private volatile java.util.function.BiConsumer<Change, Throwable> failures = (change, error) -> { };

  public AutoCloseable subscribe(Selector selector, ChangeListener listener) {
    Subscription s = new Subscription(Objects.requireNonNull(selector), Objects.requireNonNull(listener));
    subscriptions.add(s);
    return () -> {
      subscriptions.remove(s);
      s.executor.shutdown();
    };
  }

  public void observe(ApplyObserver observer) {
    observers.add(Objects.requireNonNull(observer));
  }

  /**
   * Who hears that a listener threw on a change — the instance reports the value as not applied
   * (a failed binding or validation is a failed health check for the deployment rolling it out).
   */
  public void onFailure(java.util.function.BiConsumer<Change, Throwable> failures) {
    this.failures = Objects.requireNonNull(failures);
  }

  /**
   * Reports a change as not applied after all, as a listener that threw would (a plugin version
   * that started but then failed its liveness checks).
   */
  public void reportFailure(Change change, Throwable error) {
    errors.incrementAndGet();
    failures.accept(change, error);
  }

  /** Listener calls that threw. */
  public long errors() {
    return errors.get();
  }

  void notify(Change change, long applyMicros) {
    for (Subscription s : subscriptions) {
      if (s.selector.matches(change.tenantId(), change.key(), change.kind())) {
        s.deliver(change);
      }
    }
    for (ApplyObserver o : observers) {
      try {
        o.applied(change, applyMicros);
      } catch (RuntimeException ex) {
        LOG.warn("HotSwap client: apply observer failed: {}", ex.toString());
      }
    }
  }

  void close() {
    subscriptions.forEach(s -> s.executor.shutdown());
  }

  private final class Subscription {
    final Selector selector;
    final ChangeListener listener;
    final ExecutorService executor = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("hotswap-listener-", 0).factory());

    Subscription(Selector selector, ChangeListener listener) {
      this.selector = selector;
      this.listener = listener;
    }

    void deliver(Change change) {
      try {
        // the listener runs in the change's trace (the apply span, when the client traces): what it logs or calls belongs to it
        executor.execute(io.opentelemetry.context.Context.current().wrap(() -> {
          try {
            listener.onChange(change);
          } catch (Throwable t) {
            errors.incrementAndGet();
            LOG.warn("HotSwap client: a listener for {} failed on {}|{} v{}: {}", selector, change.tenantId(), change.key(),
                change.newVersion(), t.toString());
            try {
              failures.accept(change, t);
            } catch (RuntimeException ex) {
              LOG.warn("HotSwap client: could not report the failed apply: {}", ex.toString());
            }
          }
        }));
      } catch (RejectedExecutionException e) {
        // unsubscribed or closing: the change is no longer wanted
      }
    }
  }
}
