package io.hotswap.client;

/**
 * Called for every change a subscription selects, in the order the changes were applied, on a
 * thread of its own: a listener that throws is logged and counted; one that blocks only delays
 * itself.
 */
@FunctionalInterface
public interface ChangeListener {
  void onChange(Change change) throws Exception;
}
