package io.hotswap.plugin.host.shared;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Shared between the tests and their plugins (the host is told to share this package), so a test
 * can hold a plugin call open and see when a version is stopped. Plugins' own classes are never
 * shared; this is what a service's typed extension-point package looks like to a plugin.
 */
public final class Gate {

  public static volatile CountDownLatch entered = new CountDownLatch(1);
  public static volatile CountDownLatch release = new CountDownLatch(1);
  public static final List<String> events = new CopyOnWriteArrayList<>();

  private Gate() {}

  public static void reset() {
    entered = new CountDownLatch(1);
    release = new CountDownLatch(1);
    events.clear();
  }

  /** Called by a plugin: signals that a call is in flight and waits until the test lets it go. */
  public static void hold() throws InterruptedException {
    entered.countDown();
    if (!release.await(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the test never released the call");
    }
  }

  /** A typed extension point the service defines (shared with plugins through this package). */
  public interface Versioned {
    String version();
  }
}
