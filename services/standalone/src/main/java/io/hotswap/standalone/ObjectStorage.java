package io.hotswap.standalone;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where plugin binaries are stored: an S3-compatible endpoint. {@code HOTSWAP_S3_ENDPOINT} names
 * one (MinIO, AWS S3; with {@code HOTSWAP_S3_ACCESS_KEY}, {@code HOTSWAP_S3_SECRET_KEY}, {@code
 * HOTSWAP_S3_BUCKET}, {@code HOTSWAP_S3_REGION}); otherwise the embedded default runs a real local S3
 * API, S3Proxy on the file system under {@code <data>/objects}, on {@code HOTSWAP_S3_PORT} (8085),
 * loopback only, with credentials made up at each start and handed to the gateway.
 *
 * <p>S3Proxy is built on Jetty 11 and the Servlet 5 API, which the services' Tomcat (Servlet 6.1)
 * cannot share a class path with; it runs from its self-contained jar (shipped inside this one) in
 * a class loader of its own, whose parent is the JDK's platform loader, so not one of its classes
 * meets one of ours.
 */
record ObjectStorage(String endpoint, String accessKey, String secretKey, String bucket, String region, AutoCloseable embedded)
    implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ObjectStorage.class);
  /** The S3Proxy jar inside the platform's jar (maven-dependency-plugin copies it there). */
  static final String JAR_RESOURCE = "/s3proxy/s3proxy.jar";

  static ObjectStorage start(Map<String, String> env, Path data) throws Exception {
    String bucket = Backing.get(env, "HOTSWAP_S3_BUCKET", "hotswap-plugins");
    String region = Backing.get(env, "HOTSWAP_S3_REGION", "us-east-1");
    String endpoint = env.get("HOTSWAP_S3_ENDPOINT");
    if (endpoint != null && !endpoint.isBlank()) {
      return new ObjectStorage(endpoint.strip(), Backing.get(env, "HOTSWAP_S3_ACCESS_KEY", "hotswap"),
          Backing.get(env, "HOTSWAP_S3_SECRET_KEY", "hotswap-secret"), bucket, region, null);
    }
    int port = Integer.parseInt(Backing.get(env, "HOTSWAP_S3_PORT", "8085"));
    String accessKey = "hotswap";
    byte[] secret = new byte[24];
    new SecureRandom().nextBytes(secret);
    String secretKey = HexFormat.of().formatHex(secret);
    Embedded s3 = Embedded.start(data, port, accessKey, secretKey);
    return new ObjectStorage("http://127.0.0.1:" + s3.port(), accessKey, secretKey, bucket, region, s3);
  }

  /** The gateway's properties for this storage. */
  Map<String, Object> gatewayProperties() {
    return Map.of(
        "hotswap.plugins.storage.endpoint", endpoint,
        "hotswap.plugins.storage.access-key", accessKey,
        "hotswap.plugins.storage.secret-key", secretKey,
        "hotswap.plugins.storage.bucket", bucket,
        "hotswap.plugins.storage.region", region);
  }

  /** The same for a gateway in a process of its own (gateway.properties reads these names). */
  Map<String, String> gatewayEnvironment() {
    return Map.of("HOTSWAP_S3_ENDPOINT", endpoint, "HOTSWAP_S3_ACCESS_KEY", accessKey, "HOTSWAP_S3_SECRET_KEY", secretKey,
        "HOTSWAP_S3_BUCKET", bucket, "HOTSWAP_S3_REGION", region);
  }

  @Override
  public void close() {
    if (embedded != null) {
      try {
        embedded.close();
      } catch (Exception e) {
        LOG.warn("The local S3 API did not stop cleanly: {}", e.getMessage());
      }
    }
  }

  /** S3Proxy on the file system, in its own class loader. */
  record Embedded(URLClassLoader loader, Object proxy, int port) implements AutoCloseable {

    static Embedded start(Path data, int port, String identity, String credential) throws Exception {
      Path objects = Files.createDirectories(data.resolve("objects"));
      URLClassLoader loader = new Isolated(jar(data));
      Thread thread = Thread.currentThread();
      ClassLoader before = thread.getContextClassLoader();
      // jclouds finds its providers, and Jetty's threads their classes, through the context loader
      thread.setContextClassLoader(loader);
      try {
        Properties jclouds = new Properties();
        jclouds.setProperty("jclouds.filesystem.basedir", objects.toString());
        // the file system provider checks no credentials, but jclouds asks for some
        jclouds.setProperty("jclouds.identity", identity);
        jclouds.setProperty("jclouds.credential", credential);
        Class<?> contextBuilder = loader.loadClass("org.jclouds.ContextBuilder");
        Object builder = contextBuilder.getMethod("newBuilder", String.class).invoke(null, "filesystem-nio2");
        builder = contextBuilder.getMethod("overrides", Properties.class).invoke(builder, jclouds);
        Class<?> contextType = loader.loadClass("org.jclouds.blobstore.BlobStoreContext");
        Object context = contextBuilder.getMethod("build", Class.class).invoke(builder, contextType);
        Object blobStore = contextType.getMethod("getBlobStore").invoke(context);

        Properties s3 = new Properties();
        s3.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + port);
        s3.setProperty("s3proxy.authorization", "aws-v2-or-v4");
        s3.setProperty("s3proxy.identity", identity);
        s3.setProperty("s3proxy.credential", credential);
        Class<?> proxyType = loader.loadClass("org.gaul.s3proxy.S3Proxy");
        Class<?> builderType = loader.loadClass("org.gaul.s3proxy.S3Proxy$Builder");
        Object proxyBuilder = builderType.getMethod("fromProperties", Properties.class).invoke(null, s3);
        Method withStore = builderType.getMethod("blobStore", loader.loadClass("org.jclouds.blobstore.BlobStore"));
        proxyBuilder = withStore.invoke(proxyBuilder, blobStore);
        Object proxy = builderType.getMethod("build").invoke(proxyBuilder);
        proxyType.getMethod("start").invoke(proxy);
        int bound = (int) proxyType.getMethod("getPort").invoke(proxy);
        LOG.info("Local S3 API (S3Proxy) on http://127.0.0.1:{}, objects in {}", bound, objects);
        return new Embedded(loader, proxy, bound);
      } catch (Exception | Error e) {
        loader.close();
        throw e;
      } finally {
        thread.setContextClassLoader(before);
      }
    }

    /** The S3Proxy jar as a file: where it already is when run from classes, else copied once under {@code <data>}. */
    private static Path jar(Path data) throws IOException {
      URL url = ObjectStorage.class.getResource(JAR_RESOURCE);
      if (url == null) {
        throw new IllegalStateException("the platform's jar has no " + JAR_RESOURCE + " (built without the local S3 API?)");
      }
      if (url.getProtocol().equals("file")) {
        return Path.of(URI.create(url.toString()));
      }
      Path target = data.resolve("s3proxy").resolve("s3proxy.jar");
      long size = url.openConnection().getContentLengthLong();
      if (!Files.exists(target) || Files.size(target) != size) {
        Files.createDirectories(target.getParent());
        Path partial = Files.createTempFile(target.getParent(), "s3proxy", ".part");
        try (InputStream in = url.openStream()) {
          Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      }
      return target;
    }

    @Override
    public void close() throws Exception {
      try {
        proxy.getClass().getMethod("stop").invoke(proxy);
      } finally {
        loader.close();
      }
    }
  }

  /**
   * S3Proxy's class loader: nothing from the services' class path (its parent is the platform
   * loader), and its own Logback configured by {@code s3proxy/logback.xml} (warnings only) instead of
   * the one in its jar.
   */
  private static final class Isolated extends URLClassLoader {
    private static final URL LOGBACK = ObjectStorage.class.getResource("/s3proxy/logback.xml");

    Isolated(Path jar) throws IOException {
      super("s3proxy", new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
    }

    @Override
    public URL getResource(String name) {
      return name.equals("logback.xml") ? LOGBACK : super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
      return name.equals("logback.xml") ? java.util.Collections.enumeration(java.util.List.of(LOGBACK)) : super.getResources(name);
    }
  }
}
