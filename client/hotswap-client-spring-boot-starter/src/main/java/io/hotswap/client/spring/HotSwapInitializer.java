package io.hotswap.client.spring;

import io.hotswap.client.HotSwapClient;
import io.hotswap.client.HotSwapClientBuilder;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.Ordered;
import org.springframework.core.env.CommandLinePropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;

/**
 * Starts the client before any bean is created, so {@code @Value} and {@code
 * @ConfigurationProperties} see HotSwap's values from the first injection: waits up to {@code
 * hotswap.client.startup-timeout} for the snapshot to catch up (serving the local file meanwhile
 * when Kafka is away), adds the {@link HotSwapPropertySource} where {@code
 * hotswap.client.precedence} says (first by default: HotSwap wins over local settings), and
 * registers the client as the {@code hotSwapClient} bean (its settings as {@code
 * hotSwapClientProperties}).
 */
public class HotSwapInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext>, Ordered {

  public static final String BEAN = "hotSwapClient";
  /** The bound {@code hotswap.client.*} settings, registered beside the client for the auto-configuration. */
  public static final String PROPERTIES_BEAN = "hotSwapClientProperties";
  private static final Logger LOG = LoggerFactory.getLogger(HotSwapInitializer.class);

  /** Places the HotSwap source as {@code hotswap.client.precedence} says. */
  static void add(MutablePropertySources sources, HotSwapPropertySource source, HotSwapClientProperties.Precedence precedence) {
    switch (precedence) {
      case FIRST -> sources.addFirst(source);
      case AFTER_SYSTEM_ENVIRONMENT -> {
        // right after the last of command line, system properties and environment that is present
        String below = null;
        for (String name : List.of(CommandLinePropertySource.COMMAND_LINE_PROPERTY_SOURCE_NAME,
            StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME, StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME)) {
          if (sources.contains(name)) {
            below = name;
          }
        }
        if (below == null) {
          sources.addFirst(source);
        } else {
          sources.addAfter(below, source);
        }
      }
      case LAST -> sources.addLast(source);
    }
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE + 10;
  }

  @Override
  public void initialize(ConfigurableApplicationContext context) {
    ConfigurableEnvironment env = context.getEnvironment();
    HotSwapClientProperties props = Binder.get(env).bind("hotswap.client", HotSwapClientProperties.class).orElse(null);
    if (props == null || !props.isEnabled() || props.getEnvironment() == null || context.getBeanFactory().containsSingleton(BEAN)) {
      return;
    }
    String servers = props.getBootstrapServers() != null ? props.getBootstrapServers() : env.getProperty("spring.kafka.bootstrap-servers", "localhost:9092");
    HotSwapClientBuilder builder = HotSwapClient.builder().bootstrapServers(servers).environment(props.getEnvironment())
        .register(props.isRegister()).heartbeatPeriod(props.getHeartbeatPeriod()).tags(props.getTags())
        .kafkaProperties(props.getKafka());
    if (props.getTenant() != null) {
      builder.tenant(props.getTenant());
    }
    if (!props.getTenants().isEmpty()) {
      builder.tenants(props.getTenants());
    }
    if (props.getPlugins().isEnabled()) {
      builder.plugins(props.getPlugins().options());
    }
    if (props.getService() != null) {
      builder.service(props.getService());
    } else if (env.getProperty("spring.application.name") != null) {
      builder.service(env.getProperty("spring.application.name"));
    }
    if (props.getInstanceId() != null) {
      builder.instanceId(props.getInstanceId());
    }
    if (env.getProperty("server.port") != null) {
      builder.port(env.getProperty("server.port", Integer.class));
    }
    if (props.getSnapshotFile() != null) {
      builder.snapshotFile(props.getSnapshotFile());
    }
    if (props.getMasterKey() != null && !props.getMasterKey().isBlank()) {
      builder.masterKeyBase64(props.getMasterKey());
    }
    props.getDataKeys().forEach((tenantVersion, key) -> {
      int bar = tenantVersion.lastIndexOf('|');
      builder.dataKey(tenantVersion.substring(0, bar), Integer.parseInt(tenantVersion.substring(bar + 1)),
          java.util.Base64.getDecoder().decode(key));
    });
    HotSwapClient client = builder.build().start();
    try {
      client.ready().get(props.getStartupTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      var status = client.status();
      if (props.isFailFast() && !status.servingFromFile()) {
        client.close();
        throw new IllegalStateException("HotSwap did not answer within " + props.getStartupTimeout() + " and there is no snapshot file: "
            + status.lastError());
      }
      LOG.warn("HotSwap not caught up after {}: {} (serving the file: {}); going on, the client catches up in the background",
          props.getStartupTimeout(), status.lastError(), status.servingFromFile());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException("HotSwap client failed to start", e.getCause());
    }
    if (props.getTenant() != null) {
      add(env.getPropertySources(), new HotSwapPropertySource(client, props.getTenant(),
          props.isProfileProperties() ? props.getService() : null), props.getPrecedence());
    }
    context.getBeanFactory().registerSingleton(BEAN, client);
    context.getBeanFactory().registerSingleton(PROPERTIES_BEAN, props);
    context.addApplicationListener(event -> {
      if (event instanceof ContextClosedEvent closed && closed.getApplicationContext() == context) {
        client.close();
      }
    });
  }
}
