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

  /** Whose plugins the platform registers and tries: the publishers' keys it is configured with. */
  @Bean
  io.hotswap.plugin.host.TrustPolicy pluginTrust(PluginProperties properties) {
    io.hotswap.plugin.host.TrustPolicy policy = io.hotswap.plugin.host.TrustPolicy.trusting(java.util.Map.of());
    for (java.util.Map.Entry<String, String> p : properties.publishers().entrySet()) {
      policy = policy.withPublisher(p.getKey(), io.hotswap.plugin.host.PluginSignatures.publicKey(p.getValue()));
    }
    return properties.allowUnsigned() ? policy.allowingUnsigned() : policy;
  }

  @Bean
  PluginTrust pluginTrusts(io.hotswap.plugin.host.TrustPolicy platform, StoreRouter router) {
    return new PluginTrust(platform, router);
  }

  @Bean(destroyMethod = "close")
  SandboxService sandboxService(io.hotswap.plugin.host.TrustPolicy trust,
                                @org.springframework.beans.factory.annotation.Value("${hotswap.sandbox.work-dir:${java.io.tmpdir}/hotswap-sandbox}") String workDir,
                                @org.springframework.beans.factory.annotation.Value("${hotswap.sandbox.max-per-environment:10}") int maxPerEnvironment,
                                @org.springframework.beans.factory.annotation.Value("${hotswap.sandbox.ttl:PT1H}") java.time.Duration ttl,
                                @org.springframework.beans.factory.annotation.Value("${hotswap.sandbox.sweep-every:PT1M}") java.time.Duration sweepEvery) {
    return new SandboxService(trust, java.nio.file.Path.of(workDir), maxPerEnvironment, ttl, sweepEvery, java.time.Clock.systemUTC());
  }

  @Bean
  PluginBinaries pluginBinaries(PluginProperties properties) {
    return new PluginBinaries(properties.storage());
  }
}
