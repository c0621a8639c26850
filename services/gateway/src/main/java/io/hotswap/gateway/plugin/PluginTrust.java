package io.hotswap.gateway.plugin;

import io.hotswap.avro.PluginVersion;
import io.hotswap.avro.Tenant;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.plugin.host.PluginSignatures;
import io.hotswap.plugin.host.TrustPolicy;
import java.util.Map;

/**
 * Whose signatures the gateway accepts on a plugin binary: the platform's trusted publishers
 * ({@code hotswap.plugins.publishers.*}) for the platform's plugins; for a tenant's own plugins
 * those and the tenant's ({@code <tenant>/<name>}, so a tenant's name never stands in for one of
 * the platform's), and unsigned binaries where the platform or the tenant allows them.
 */
final class PluginTrust {

  private final TrustPolicy platform;
  private final StoreRouter router;

  PluginTrust(TrustPolicy platform, StoreRouter router) {
    this.platform = platform;
    this.router = router;
  }

  TrustPolicy platform() {
    return platform;
  }

  TrustPolicy of(Tenant tenant) {
    TrustPolicy trust = platform;
    for (Map.Entry<String, String> p : tenant.getPluginPublishers().entrySet()) {
      trust = trust.withPublisher(tenant.getTenantId() + "/" + p.getKey(), PluginSignatures.publicKey(p.getValue()));
    }
    return tenant.getAllowUnsignedPlugins() ? trust.allowingUnsigned() : trust;
  }

  /** The trust a registered version is judged by again (a sandbox run): its owner's as it stands now. */
  TrustPolicy of(PluginVersion version) {
    Tenant owner = version.getTenantId() == null ? null
        : router.<Tenant>globalStore(ReadTopology.TENANTS_STORE).get(version.getTenantId());
    return owner == null ? platform : of(owner);
  }
}
