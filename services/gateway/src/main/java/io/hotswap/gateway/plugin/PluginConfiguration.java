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

  /** Relays a call for a sandbox another gateway instance holds to it. */
  @Bean
  org.springframework.boot.web.servlet.FilterRegistrationBean<SandboxRelay> sandboxRelay(SandboxService sandboxes, StoreRouter router) {
    org.springframework.boot.web.servlet.FilterRegistrationBean<SandboxRelay> registration =
        new org.springframework.boot.web.servlet.FilterRegistrationBean<>(new SandboxRelay(sandboxes, router));
    registration.addUrlPatterns("/api/v1/sandbox/*");
    // after Spring Security's chain: the caller is authenticated here before anything is relayed
    registration.setOrder(org.springframework.core.Ordered.LOWEST_PRECEDENCE);
    return registration;
  }

  @Bean
  PluginBinaries pluginBinaries(PluginProperties properties) {
    return new PluginBinaries(properties.storage());
  }
}
