package io.hotswap.gateway.reads;

import io.hotswap.core.kafka.TenantPartitioner;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Duration;
import java.util.function.IntFunction;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/**
 * Routes a tenant's read to the gateway instance that owns the tenant's partition: reads locally
 * when this instance owns it, otherwise forwards the same request (method, path, query, caller's
 * token; no body) to the owner. While Kafka
 * Streams is rebalancing ({@code null} or {@link KeyQueryMetadata#NOT_AVAILABLE} metadata, a
 * store that moved) it retries until a deadline and then answers 503 — it never calls a host it
 * doesn't know.
 */
public final class StoreRouter {

  public static final String FORWARDED_HEADER = "X-HotSwap-Forwarded";
  /** Names the gateway instance whose store answered a read. */
  public static final String SERVED_BY_HEADER = "X-HotSwap-Served-By";

  private final StreamsBuilderFactoryBean streams;
  private final HostInfo self;
  private final RestClient http;
  private final Duration retryFor;
  private final String scheme;
  private final TenantPartitioner<Object> partitioner = new TenantPartitioner<>();
  private final StoreUpdates updates;
  private final io.hotswap.gateway.security.PeerSignature peers;
  private final OpenViews views;

  /**
   * {@code scheme}: how peers are called, {@code https} when the gateways serve TLS; {@code views}:
   * the current-value stores the read topology lends while their tasks run here.
   */
  public StoreRouter(StreamsBuilderFactoryBean streams, HostInfo self, RestClient http, Duration retryFor, String scheme,
                     StoreUpdates updates, io.hotswap.gateway.security.PeerSignature peers, OpenViews views) {
    this.views = views;
    this.updates = updates;
    this.peers = peers;
    this.streams = streams;
    this.self = self;
    this.http = http;
    this.retryFor = retryFor;
    this.scheme = scheme;
  }

  /** Thrown when no instance can answer for the tenant before the deadline. */
  public static final class StoreUnavailable extends RuntimeException {
    private final boolean unreachable;

    public StoreUnavailable(String message) {
      this(message, false);
    }

    StoreUnavailable(String message, boolean unreachable) {
      super(message);
      this.unreachable = unreachable;
    }

    /** The owner could not be connected to at all, so nothing reached it: safe to ask again. */
    boolean unreachable() {
      return unreachable;
    }
  }

  /** A peer call that failed: unreachable when the connection itself was refused or timed out. */
  private static StoreUnavailable peerFailed(HostInfo owner, RestClientException e) {
    boolean unreachable = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      unreachable |= t instanceof java.net.ConnectException || t instanceof java.net.http.HttpConnectTimeoutException;
    }
    return new StoreUnavailable("The instance owning this tenant (" + owner + ") did not answer: " + e.getMessage(), unreachable);
  }

  public HostInfo self() {
    return self;
  }

  /** Signals of what this instance's read stores just applied (read-your-writes waits on them). */
  public StoreUpdates updates() {
    return updates;
  }

  /**
   * The tenant's partition when this instance owns it and its stream is running, else -1 (then
   * {@link #route} decides: forward, wait out a rebalance, or 503).
   */
  public int ownedPartition(String tenantId) {
    KafkaStreams kafkaStreams = streams.getKafkaStreams();
    if (kafkaStreams == null || kafkaStreams.state() != KafkaStreams.State.RUNNING) {
      return -1;
    }
    return owned.get(tenantId, t -> {
      KeyQueryMetadata md = kafkaStreams.queryMetadataForKey(ReadTopology.CONFIG_STORE, t, partitioner);
      return md == null || KeyQueryMetadata.NOT_AVAILABLE.equals(md) || !md.activeHost().equals(self) ? -1 : md.partition();
    });
  }

  /**
   * Which partition of each tenant this instance owned a moment ago: looking it up in the streams'
   * metadata was a visible part of a read's CPU. A second out of date costs nothing wrong: a partition
   * that moved away has no local store to read (the caller falls back to {@link #route}), one that
   * moved here is routed as before until the entry expires.
   */
  private final com.github.benmanes.caffeine.cache.Cache<String, Integer> owned = com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
      .expireAfterWrite(Duration.ofSeconds(1)).maximumSize(100_000).build();

  /**
   * Answers with {@code local} (given the owning partition) on the owner, or with the owner's
   * answer to the same request.
   */
  public ResponseEntity<?> route(String tenantId, HttpServletRequest request, IntFunction<ResponseEntity<?>> local) {
    // Owned a moment ago (ownedPartition's one-second memory): every write reads its result back
    // through here, and asking the streams' metadata each time was a visible part of a write's CPU.
    // A partition that moved away since has no store here to read, and the look-up below decides.
    int owned = ownedPartition(tenantId);
    if (owned >= 0) {
      try {
        return servedHere(local.apply(owned));
      } catch (InvalidStateStoreException moved) {
        // asked again below
      }
    }
    long deadline = System.nanoTime() + retryFor.toNanos();
    long backoffMs = 10;
    String lastProblem = "not started";
    while (true) {
      KafkaStreams kafkaStreams = streams.getKafkaStreams();
      if (kafkaStreams != null && kafkaStreams.state() == KafkaStreams.State.RUNNING) {
        KeyQueryMetadata md = kafkaStreams.queryMetadataForKey(ReadTopology.CONFIG_STORE, tenantId, partitioner);
        if (md == null || KeyQueryMetadata.NOT_AVAILABLE.equals(md)) {
          lastProblem = "partition metadata not available (rebalancing)";
        } else if (md.activeHost().equals(self)) {
          try {
            return servedHere(local.apply(md.partition()));
          } catch (InvalidStateStoreException e) {
            lastProblem = "store moved: " + e.getMessage();
          }
        } else if (request.getHeader(FORWARDED_HEADER) != null) {
          lastProblem = "forwarded here but owned by " + md.activeHost();
        } else {
          try {
            return forward(md.activeHost(), request);
          } catch (StoreUnavailable e) {
            if (!e.unreachable()) {
              throw e; // it may have been served: never sent twice
            }
            // the owner may just have left (its partitions move on the next rebalance): ask again until the deadline
            lastProblem = e.getMessage();
          }
        }
      } else {
        lastProblem = "streams state " + (kafkaStreams == null ? "NOT_CREATED" : kafkaStreams.state());
      }
      if (System.nanoTime() > deadline) {
        throw new StoreUnavailable("State for tenant '" + tenantId + "' is not available right now (" + lastProblem + "); retry shortly");
      }
      sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, 200);
    }
  }

  private ResponseEntity<?> servedHere(ResponseEntity<?> answer) {
    return ResponseEntity.status(answer.getStatusCode()).headers(answer.getHeaders())
        .header(SERVED_BY_HEADER, self.host() + ":" + self.port()).body(answer.getBody());
  }

  /**
   * The gateway instance owning the tenant's partition (retrying while rebalancing). Owners hold
   * per-tenant state that must be single: read stores and rate-limit buckets.
   */
  public HostInfo ownerOf(String tenantId) {
    long deadline = System.nanoTime() + retryFor.toNanos();
    long backoffMs = 10;
    while (true) {
      KafkaStreams kafkaStreams = streams.getKafkaStreams();
      if (kafkaStreams != null && kafkaStreams.state() == KafkaStreams.State.RUNNING) {
        KeyQueryMetadata md = kafkaStreams.queryMetadataForKey(ReadTopology.CONFIG_STORE, tenantId, partitioner);
        if (md != null && !KeyQueryMetadata.NOT_AVAILABLE.equals(md)) {
          return md.activeHost();
        }
      }
      if (System.nanoTime() > deadline) {
        throw new StoreUnavailable("No gateway instance owns tenant '" + tenantId + "' right now (rebalancing); retry shortly");
      }
      sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, 200);
    }
  }

  /**
   * The answer of the tenant's owner: {@code local} when this instance owns it, else a POST of
   * {@code path} to the owner's internal API. An owner that does not answer is asked again, its
   * ownership looked up anew, until the retry deadline: an instance that just left still owns its
   * partitions until the next rebalance.
   */
  public <T> T askOwner(String tenantId, java.util.function.Supplier<T> local, String path, Class<T> type) {
    // owned a moment ago (ownedPartition's one-second memory): asked at every read for its rate
    // limit, the streams' metadata look-up was a visible share of a read's CPU and garbage. When
    // ownership has just moved, this instance answers for up to a second more, within the
    // tolerance the rate limits already have (the new owner starts with a full bucket).
    if (ownedPartition(tenantId) >= 0) {
      return local.get();
    }
    long deadline = System.nanoTime() + retryFor.toNanos();
    long backoffMs = 10;
    while (true) {
      HostInfo owner = ownerOf(tenantId);
      if (owner.equals(self)) {
        return local.get();
      }
      try {
        return post(owner, path, type);
      } catch (StoreUnavailable e) {
        if (!e.unreachable() || System.nanoTime() > deadline) {
          throw e;
        }
      }
      sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, 200);
    }
  }

  /** POSTs to another gateway instance's {@code /internal/} API, signed as a peer; returns the answer's body. */
  public <T> T post(HostInfo owner, String path, Class<T> type) {
    URI uri = URI.create(scheme + "://" + owner.host() + ":" + owner.port() + path);
    try {
      return http.post().uri(uri)
          .headers(h -> h.set(io.hotswap.gateway.security.PeerSignature.HEADER, peers.sign("POST", path, now())))
          .retrieve().body(type);
    } catch (RestClientException e) {
      throw peerFailed(owner, e);
    }
  }

  /** The other gateway instances of this application, as the streams metadata knows them now. */
  public java.util.List<HostInfo> peers() {
    KafkaStreams kafkaStreams = streams.getKafkaStreams();
    if (kafkaStreams == null) {
      return java.util.List.of();
    }
    return kafkaStreams.metadataForAllStreamsClients().stream().map(m -> m.hostInfo()).filter(h -> !h.equals(self)).distinct().toList();
  }

  /**
   * A key's entry in the current-value store of a partition this instance owns (null when it has
   * none): from the store its running task lent ({@link OpenViews}), else by interactive query, which throws
   * {@link InvalidStateStoreException} when the partition is not here.
   */
  public io.hotswap.avro.ConfigEntry currentEntry(int partition, String storeKey) {
    return entry(views.current(partition), ReadTopology.CONFIG_STORE, partition, storeKey);
  }

  /** A version of a key ({@link io.hotswap.core.domain.StoreKeys#version}) in the history store of a partition this instance owns, as {@link #currentEntry}. */
  public io.hotswap.avro.ConfigEntry versionEntry(int partition, String versionKey) {
    return entry(views.versions(partition), ReadTopology.VERSIONS_STORE, partition, versionKey);
  }

  private io.hotswap.avro.ConfigEntry entry(org.apache.kafka.streams.state.TimestampedKeyValueStore<String, io.hotswap.avro.ConfigEntry> open,
                                            String store, int partition, String key) {
    if (open != null) {
      try {
        var entry = open.get(key);
        return entry == null ? null : entry.value();
      } catch (InvalidStateStoreException closedMeanwhile) {
        // the task closed between the look-up and the read: the interactive query says where it is now
      }
    }
    return this.<io.hotswap.avro.ConfigEntry>localStore(store, partition).get(key);
  }

  /** The local partition of a key-value store. */
  public <V> ReadOnlyKeyValueStore<String, V> localStore(String name, int partition) {
    KafkaStreams kafkaStreams = streams.getKafkaStreams();
    if (kafkaStreams == null) {
      throw new InvalidStateStoreException("streams not started");
    }
    return kafkaStreams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()).withPartition(partition));
  }

  /**
   * A store as this instance holds it now — a global store whole, a local one over the partitions it
   * owns — or null while the streams are not running (never waits: for gauges read at every scrape).
   */
  public <V> ReadOnlyKeyValueStore<String, V> storeIfRunning(String name) {
    KafkaStreams kafkaStreams = streams.getKafkaStreams();
    try {
      return kafkaStreams != null && kafkaStreams.state() == KafkaStreams.State.RUNNING
          ? kafkaStreams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()))
          : null;
    } catch (InvalidStateStoreException e) {
      return null;
    }
  }

  /** The whole of a global store (every instance holds all of it). */
  public <V> ReadOnlyKeyValueStore<String, V> globalStore(String name) {
    long deadline = System.nanoTime() + retryFor.toNanos();
    while (true) {
      KafkaStreams kafkaStreams = streams.getKafkaStreams();
      try {
        if (kafkaStreams != null && kafkaStreams.state() == KafkaStreams.State.RUNNING) {
          return kafkaStreams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
        }
      } catch (InvalidStateStoreException e) {
        // restoring; retry below
      }
      if (System.nanoTime() > deadline) {
        throw new StoreUnavailable("Store " + name + " is not available right now; retry shortly");
      }
      sleep(50);
    }
  }

  private ResponseEntity<byte[]> forward(HostInfo owner, HttpServletRequest request) {
    return relay(owner, request, null);
  }

  /**
   * The same request, with this body (null: none), answered by another gateway instance that holds
   * what it needs (a sandbox session lives where it was created). The caller's identity travels with
   * it; the peer checks it again.
   */
  public ResponseEntity<byte[]> relay(HostInfo owner, HttpServletRequest request, byte[] body) {
    String query = request.getQueryString();
    URI uri = URI.create(scheme + "://" + owner.host() + ":" + owner.port() + request.getRequestURI() + (query == null ? "" : "?" + query));
    try {
      RestClient.RequestBodySpec spec = http.method(org.springframework.http.HttpMethod.valueOf(request.getMethod())).uri(uri)
          .headers(h -> {
            h.set(FORWARDED_HEADER, self.host() + ":" + self.port());
            // the owner audits the change a forwarded request makes under the client's address, not this instance's
            h.set("X-Forwarded-For", io.hotswap.gateway.security.ClientAddresses.of(request));
            h.set(io.hotswap.gateway.security.PeerSignature.HEADER,
                peers.sign(request.getMethod(), request.getRequestURI() + (query == null ? "" : "?" + query), now()));
            String auth = request.getHeader(HttpHeaders.AUTHORIZATION);
            if (auth != null) {
              h.set(HttpHeaders.AUTHORIZATION, auth);
            }
            if (body != null && request.getContentType() != null) {
              h.set(HttpHeaders.CONTENT_TYPE, request.getContentType());
            }
          });
      if (body != null) {
        spec = spec.body(body);
      }
      return spec.exchange((req, res) -> {
            HttpHeaders headers = new HttpHeaders();
            if (res.getHeaders().getContentType() != null) {
              headers.setContentType(res.getHeaders().getContentType());
            }
            if (res.getHeaders().getETag() != null) {
              headers.setETag(res.getHeaders().getETag());
            }
            if (res.getHeaders().getFirst(SERVED_BY_HEADER) != null) {
              headers.set(SERVED_BY_HEADER, res.getHeaders().getFirst(SERVED_BY_HEADER));
            }
            return ResponseEntity.status(HttpStatusCode.valueOf(res.getStatusCode().value())).headers(headers).body(res.getBody().readAllBytes());
          });
    } catch (RestClientException e) {
      throw peerFailed(owner, e);
    }
  }

  private static long now() {
    return java.time.Instant.now().getEpochSecond();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailable("interrupted");
    }
  }
}
