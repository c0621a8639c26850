package io.hotswap.client;

/**
 * Called for every change a subscription selects, in the order the changes were applied, on a
 * thread of its own; one that blocks only delays itself. A listener that throws says the
 * instance could not apply the change (its binding or validation refused the value): it is
 * logged, counted, and reported to the platform, where a deployment rolling that value out counts
 * it as a failed health check and rolls back.
 */
@FunctionalInterface
public interface ChangeListener {
  void onChange(Change change) throws Exception;
}
