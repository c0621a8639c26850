package io.hotswap.gateway.plugin;

import io.hotswap.gateway.reads.StoreRouter;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(PluginProperties.class)
class PluginConfiguration {

  @Bean
  PluginRegistry pluginRegistry(StoreRouter router) {
    return new PluginRegistry(router);
  }

  @Bean
  PluginAssignments pluginAssignments(PluginRegistry registry, io.hotswap.gateway.config.SecretVault vault,
                                      io.hotswap.gateway.security.TenantScope scope) {
    return new PluginAssignments(registry, vault, scope);
  }

  @Bean
  PluginBinaries pluginBinaries(PluginProperties properties) {
    return new PluginBinaries(properties.storage());
  }
}
