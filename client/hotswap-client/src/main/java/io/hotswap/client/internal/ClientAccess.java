package io.hotswap.client.internal;

import io.hotswap.client.HotSwapClient;
import java.util.function.Function;

/**
 * How {@code hotswap-client-test} puts a {@link HotSwapClient} in front of an engine it feeds by
 * hand, without the client's constructor becoming API (the JDK's "shared secrets" idea): the
 * client installs its constructor here when its class initialises.
 */
public final class ClientAccess {

  private static volatile Function<ClientEngine, HotSwapClient> factory;

  private ClientAccess() {}

  /** Called once, by {@link HotSwapClient}'s static initialiser; later calls change nothing. */
  public static synchronized void install(Function<ClientEngine, HotSwapClient> clientFactory) {
    if (factory == null) {
      factory = clientFactory;
    }
  }

  public static HotSwapClient client(ClientEngine engine) {
    if (factory == null) {
      try {
        Class.forName(HotSwapClient.class.getName(), true, HotSwapClient.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
    }
    return factory.apply(engine);
  }
}
