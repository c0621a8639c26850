package io.hotswap.client;

import io.hotswap.plugin.host.PluginSignatures;
import io.hotswap.plugin.host.TrustPolicy;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a client runs its tenants' plugins ({@link HotSwapClientBuilder#plugins}): whose signatures
 * it trusts (its own list: a binary's signature is checked against these keys, never against
 * anything that came with the binary), where binaries come from, where they are cached, and how
 * often each running plugin's liveness is asked ({@code failedChecks} failures in a row report the
 * version as failed, which rolls a plugin deployment back).
 */
public final class PluginOptions {

  private final Map<String, PublicKey> publishers = new LinkedHashMap<>();
  private boolean allowUnsigned;
  private final Map<String, Map<String, PublicKey>> tenantPublishers = new LinkedHashMap<>();
  private final java.util.Set<String> tenantsAllowingUnsigned = new java.util.HashSet<>();
  private PluginSource source;
  private Path cacheDirectory;
  private Duration livenessPeriod = Duration.ofSeconds(10);
  private int failedChecks = 3;
  private List<String> sharedPackages = List.of();
  private boolean callsAsRequests = true;

  private PluginOptions() {}

  public static PluginOptions create() {
    return new PluginOptions();
  }

  /** Trusts a publisher's Ed25519 public key (Base64 of its X.509 encoding, as {@code ./hotswap plugin keygen} prints it). */
  public PluginOptions trustPublisher(String name, String publicKeyBase64) {
    return trustPublisher(name, PluginSignatures.publicKey(publicKeyBase64));
  }

  public PluginOptions trustPublisher(String name, PublicKey key) {
    publishers.put(Objects.requireNonNull(name), Objects.requireNonNull(key));
    return this;
  }

  /** Runs unsigned binaries too (only for a platform that registers them: off by default). */
  public PluginOptions allowUnsigned() {
    this.allowUnsigned = true;
    return this;
  }

  /**
   * Trusts a publisher for one tenant's plugins only (a tenant that signs its own plugins): its
   * binaries run for that tenant, never for another.
   */
  public PluginOptions trustPublisherForTenant(String tenantId, String name, String publicKeyBase64) {
    tenantPublishers.computeIfAbsent(Objects.requireNonNull(tenantId), t -> new LinkedHashMap<>())
        .put(Objects.requireNonNull(name), PluginSignatures.publicKey(publicKeyBase64));
    return this;
  }

  /** Runs unsigned binaries for this tenant (one that registers unsigned plugins of its own). */
  public PluginOptions allowUnsignedForTenant(String tenantId) {
    tenantsAllowingUnsigned.add(Objects.requireNonNull(tenantId));
    return this;
  }

  public PluginOptions source(PluginSource source) {
    this.source = Objects.requireNonNull(source);
    return this;
  }

  /** Keeps fetched binaries here by SHA-256 (checked again on every load), so a restart fetches nothing it has. */
  public PluginOptions cacheDirectory(Path directory) {
    this.cacheDirectory = directory;
    return this;
  }

  public PluginOptions livenessPeriod(Duration period) {
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("livenessPeriod must be positive");
    }
    this.livenessPeriod = period;
    return this;
  }

  /** Consecutive failed liveness checks that report a plugin version as failed (3). */
  public PluginOptions failedChecks(int checks) {
    if (checks < 1) {
      throw new IllegalArgumentException("failedChecks must be at least 1");
    }
    this.failedChecks = checks;
    return this;
  }

  /** Packages of your service that plugins see (your typed extension points). */
  public PluginOptions sharedPackages(Collection<String> packages) {
    this.sharedPackages = List.copyOf(packages);
    return this;
  }

  /**
   * Whether each plugin call counts as a request in this instance's health reports (on by default):
   * a plugin deployment's error-rate and p99 thresholds then judge the calls of the instances that
   * run the new version against those that run the old one. Off where the service already records
   * every request that calls plugins and wants no second sample of them.
   */
  public PluginOptions callsAsRequests(boolean on) {
    this.callsAsRequests = on;
    return this;
  }

  boolean callsAsRequests() {
    return callsAsRequests;
  }

  TrustPolicy trust() {
    TrustPolicy trust = TrustPolicy.trusting(publishers);
    return allowUnsigned ? trust.allowingUnsigned() : trust;
  }

  /** What a tenant's plugins are judged by: the service's publishers and the tenant's own. */
  TrustPolicy trust(String tenantId) {
    TrustPolicy trust = trust();
    for (Map.Entry<String, PublicKey> p : tenantPublishers.getOrDefault(tenantId, Map.of()).entrySet()) {
      trust = trust.withPublisher(tenantId + "/" + p.getKey(), p.getValue());
    }
    return tenantsAllowingUnsigned.contains(tenantId) ? trust.allowingUnsigned() : trust;
  }

  PluginSource source() {
    if (source == null) {
      throw new IllegalStateException("plugins need a source of binaries: PluginOptions.source(PluginSource.gateway(url, token))");
    }
    return source;
  }

  Path cacheDirectory() {
    return cacheDirectory;
  }

  Duration livenessPeriod() {
    return livenessPeriod;
  }

  int failedChecks() {
    return failedChecks;
  }

  List<String> sharedPackages() {
    return sharedPackages;
  }
}
