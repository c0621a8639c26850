package io.hotswap.plugin.host;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;

/**
 * One plugin version's classes, defined from the verified jar bytes held in memory. Child-first:
 * a class in the plugin's jar is the plugin's own copy even when the service has a class of the same
 * name (so two versions, or a plugin and the service, can carry different versions of a library).
 * Only the shared packages — the plugin API and whatever extension-point packages the service
 * declares — come from the service's class loader; classes of plugins this one depends on come from
 * their loaders (one copy per dependency version, shared by all its dependents); the rest is the
 * JDK. A plugin can't see the service's other classes.
 */
final class PluginClassLoader extends ClassLoader {

  static {
    registerAsParallelCapable();
  }

  private static final String API_PACKAGE = "io.hotswap.plugin.api.";

  private final Map<String, byte[]> entries;
  private final ClassLoader service;
  private final List<String> sharedPackages;
  private final List<PluginClassLoader> dependencies;
  private final String urlPrefix;
  private final URLStreamHandler handler = new URLStreamHandler() {
    @Override
    protected URLConnection openConnection(URL u) throws IOException {
      String path;
      try {
        path = u.toURI().getPath(); // decoded: entry names may hold characters a URI escapes
      } catch (java.net.URISyntaxException e) {
        throw new IOException(e);
      }
      byte[] bytes = entries.get(path.substring(urlPrefix.length()));
      if (bytes == null) {
        throw new IOException("no entry " + u);
      }
      return new URLConnection(u) {
        @Override
        public void connect() {}

        @Override
        public InputStream getInputStream() {
          return new ByteArrayInputStream(bytes);
        }
      };
    }
  };

  /** @param entries the jar's entries, read once when it was installed (see {@link #entries(byte[])}) */
  PluginClassLoader(PluginManifest manifest, Map<String, byte[]> entries, ClassLoader service, List<String> sharedPackages,
      List<PluginClassLoader> dependencies) {
    super("plugin:" + manifest.coordinates(), ClassLoader.getPlatformClassLoader());
    this.entries = entries;
    this.service = service;
    this.sharedPackages = List.copyOf(sharedPackages);
    this.dependencies = List.copyOf(dependencies);
    this.urlPrefix = "/" + manifest.id() + "/" + manifest.version() + "/";
  }

  /** The names of the jar's entries, mapped to their bytes. */
  static Map<String, byte[]> entries(byte[] jar) {
    Map<String, byte[]> entries = new HashMap<>();
    try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
      for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
        if (!e.isDirectory()) {
          entries.put(e.getName(), in.readAllBytes());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable plugin jar", e);
    }
    return Map.copyOf(entries);
  }

  boolean contains(String className) {
    return entries.containsKey(className.replace('.', '/') + ".class");
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    synchronized (getClassLoadingLock(name)) {
      Class<?> c = findLoadedClass(name);
      if (c == null) {
        if (shared(name)) {
          c = service.loadClass(name);
        } else {
          c = own(name);
          if (c == null) {
            c = fromDependencies(name);
          }
          if (c == null) {
            c = getParent().loadClass(name); // the JDK; throws ClassNotFoundException for the rest
          }
        }
      }
      if (resolve) {
        resolveClass(c);
      }
      return c;
    }
  }

  private boolean shared(String name) {
    if (name.startsWith(API_PACKAGE)) {
      return true;
    }
    for (String p : sharedPackages) {
      if (name.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  /** This plugin's own class, defined on first use; {@code null} when its jar has none of that name. */
  private Class<?> own(String name) {
    byte[] bytes = entries.get(name.replace('.', '/') + ".class");
    if (bytes == null) {
      return null;
    }
    int dot = name.lastIndexOf('.');
    if (dot > 0 && getDefinedPackage(name.substring(0, dot)) == null) {
      try {
        definePackage(name.substring(0, dot), null, null, null, null, null, null, null);
      } catch (IllegalArgumentException alreadyDefinedConcurrently) {
        // another thread defined the package first; fine
      }
    }
    return defineClass(name, bytes, 0, bytes.length);
  }

  /** A class of a plugin this one depends on (or of their dependencies), loaded by its owner. */
  private Class<?> fromDependencies(String name) {
    for (PluginClassLoader d : dependencies) {
      Class<?> c = d.ownOrDependencies(name);
      if (c != null) {
        return c;
      }
    }
    return null;
  }

  private Class<?> ownOrDependencies(String name) {
    synchronized (getClassLoadingLock(name)) {
      Class<?> c = findLoadedClass(name);
      if (c == null && contains(name)) {
        c = own(name);
      }
      return c != null ? c : fromDependencies(name);
    }
  }

  @Override
  protected URL findResource(String name) {
    if (entries.containsKey(name)) {
      try {
        return URL.of(new URI("hotswap-plugin", null, urlPrefix + name, null), handler);
      } catch (java.net.URISyntaxException | java.net.MalformedURLException e) {
        return null; // a name no URL can carry; getResourceAsStream still finds it
      }
    }
    for (PluginClassLoader d : dependencies) {
      URL u = d.findResource(name);
      if (u != null) {
        return u;
      }
    }
    return null;
  }

  @Override
  public URL getResource(String name) {
    URL own = findResource(name); // child-first for resources too
    return own != null ? own : getParent().getResource(name);
  }

  @Override
  public InputStream getResourceAsStream(String name) {
    byte[] bytes = entries.get(name);
    return bytes != null ? new ByteArrayInputStream(bytes) : super.getResourceAsStream(name);
  }

  @Override
  protected Enumeration<URL> findResources(String name) {
    List<URL> found = new ArrayList<>();
    URL own = findResource(name);
    if (own != null) {
      found.add(own);
    }
    return Collections.enumeration(found);
  }
}
