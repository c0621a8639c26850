package io.hotswap.client.spring;

import io.hotswap.client.Change;
import io.hotswap.client.HotSwapClient;
import io.hotswap.client.Selector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.context.properties.ConfigurationPropertiesBean;
import org.springframework.boot.context.properties.bind.BindMethod;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEventPublisher;

/**
 * On every change of the tenant's keys (or the service's profile): rebinds the JavaBean-style
 * {@code @ConfigurationProperties} beans whose prefix covers the changed key, then publishes a
 * {@link HotSwapChangedEvent}. Runs on the subscription's own thread, never the consumer's.
 * Immutable (constructor-bound) properties can't be rebound; read those through {@code
 * Environment} or the client.
 */
public class HotSwapRefresher implements SmartInitializingSingleton {

  private static final Logger LOG = LoggerFactory.getLogger(HotSwapRefresher.class);

  private final HotSwapClient client;
  private final ApplicationContext context;
  private final ApplicationEventPublisher events;
  private final String tenant;
  private final String service;

  public HotSwapRefresher(HotSwapClient client, ApplicationContext context, String tenant, String service) {
    this.client = client;
    this.context = context;
    this.events = context;
    this.tenant = tenant;
    this.service = service;
  }

  @Override
  public void afterSingletonsInstantiated() {
    client.subscribe(Selector.prefix(tenant, ""), this::refresh);
    if (service != null) {
      client.subscribe(Selector.profile(tenant, service), this::refresh);
    }
  }

  /**
   * Rebinds the beans the change touches and publishes the change; a bean that cannot take the new
   * value (binding or validation fails) keeps its old one, and the change is thrown back to the
   * client as not applied — it reports that, and a deployment rolling the value out rolls back.
   */
  void refresh(Change change) {
    Binder binder = Binder.get(context.getEnvironment());
    java.util.List<String> failed = new java.util.ArrayList<>();
    ConfigurationPropertyName changed = change.kind() == io.hotswap.client.ConfigValue.Kind.KEY
        ? ConfigurationPropertyName.adapt(change.key(), '.') : null;
    ConfigurationPropertiesBean.getAll(context).forEach((name, bean) -> {
      if (bean.asBindTarget().getBindMethod() != BindMethod.JAVA_BEAN) {
        return;
      }
      String prefix = bean.getAnnotation().prefix();
      ConfigurationPropertyName root = ConfigurationPropertyName.of(prefix);
      if (changed != null && !prefix.isEmpty() && !root.isAncestorOf(changed) && !root.equals(changed)) {
        return;
      }
      try {
        binder.bind(prefix, Bindable.ofInstance(bean.getInstance()));
      } catch (RuntimeException e) {
        LOG.warn("HotSwap: could not rebind {} ({}) after {}|{} v{}: {}", name, prefix, change.tenantId(), change.key(),
            change.newVersion(), e.getMessage());
        failed.add(name + " (" + prefix + "): " + rootMessage(e));
      }
    });
    events.publishEvent(new HotSwapChangedEvent(client, change));
    if (!failed.isEmpty()) {
      throw new IllegalStateException("could not bind " + String.join("; ", failed));
    }
  }

  /** The innermost cause's message: what a failed binding or validation says about the value. */
  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
