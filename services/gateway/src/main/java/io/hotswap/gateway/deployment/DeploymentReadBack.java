package io.hotswap.gateway.deployment;

import io.hotswap.avro.ConfigProfile;
import io.hotswap.avro.Deployment;
import io.hotswap.core.domain.StoreKeys;
import io.hotswap.gateway.config.ReadYourWrites;
import io.hotswap.gateway.pipeline.Writes;
import io.hotswap.gateway.profile.ProfileQueries;
import io.hotswap.gateway.reads.ReadTopology;
import io.hotswap.gateway.reads.StoreRouter;
import io.hotswap.gateway.reads.Waits;
import java.time.Duration;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.http.ResponseEntity;

/**
 * Read-your-writes for deployments: a change of a deployment (its start included, whether of a
 * key, a profile or a plugin) is answered only once the deployment's owner serves that revision and
 * the version of the key or profile it wrote, so the caller's next call — a pause, a complete, a
 * read on any gateway — finds what it was told about.
 */
public final class DeploymentReadBack {

  private DeploymentReadBack() {
  }

  /** How a write's answer reads the deployment back: through the owner, at {@code revision} or later. */
  public static Writes.Shown shown(StoreRouter router, String deploymentId, long revision, Duration wait) {
    StoreKeys.DeploymentId id = StoreKeys.parseDeploymentId(deploymentId);
    return new Writes.Shown(id.tenantId(), "/api/v1/deployments/" + deploymentId, "minRevision=" + revision,
        partition -> ResponseEntity.ok(DeploymentView.of(await(router, partition, id, revision, wait))));
  }

  /** The deployment at {@code revision} or later, and the key's version it wrote, on this owner; 503 when they don't arrive in time. */
  static Deployment await(StoreRouter router, int partition, StoreKeys.DeploymentId id, long revision, Duration wait) {
    ReadOnlyKeyValueStore<String, Deployment> store = router.localStore(ReadTopology.DEPLOYMENTS_STORE, partition);
    Deployment d = Waits.until(() -> store.get(id.storeKey()), x -> x != null && x.getRevision() >= revision, wait,
        () -> "revision " + revision + " of deployment '" + id.publicId() + "' is applied but not readable yet; retry shortly");
    long version = d.getRollbackVersion() != null ? d.getRollbackVersion() : d.getCandidateVersion();
    String service = StoreKeys.profileService(d.getKey());
    if (service != null) {
      // a profile's deployment: the profile's version it wrote (the candidate, or the restored stable document)
      ReadOnlyKeyValueStore<String, ConfigProfile> profiles = router.localStore(ReadTopology.PROFILES_STORE, partition);
      StoreKeys.ProfileId profile = StoreKeys.parseProfileId(StoreKeys.profileId(d.getTenantId(), service, d.getEnvironment()));
      Waits.until(() -> ProfileQueries.latest(profiles, profile), p -> p != null && p.getRevision() >= version, wait,
          () -> "revision " + version + " of the profile of deployment '" + id.publicId() + "' is applied but not readable yet; retry shortly");
      return d;
    }
    ReadYourWrites.await(router, partition, StoreKeys.config(d.getTenantId(), d.getEnvironment(), d.getKey()), version, wait);
    return d;
  }
}
