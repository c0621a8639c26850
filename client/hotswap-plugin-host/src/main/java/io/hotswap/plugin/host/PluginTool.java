package io.hotswap.plugin.host;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./hotswap plugin …}: what a plugin author needs besides the build — a publisher key pair,
 * a signature over the jar, and a check of a jar exactly as a host will check it.
 *
 * <pre>
 *   keygen --out DIR                 DIR/publisher.key (private, keep it secret) and DIR/publisher.pub
 *   sign JAR --key FILE              JAR.sig (Base64 Ed25519 signature); prints the jar's SHA-256
 *   verify JAR --publisher FILE [--signature FILE]
 *                                    checksum, signature, manifest and API version, as a host checks them
 *   inspect JAR                      the jar's plugin manifest
 * </pre>
 */
public final class PluginTool {

  private PluginTool() {}

  public static void main(String[] args) {
    int status = run(List.of(args), System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /** Runs one command; 0 on success, 1 when a jar is refused, 2 on a usage error. */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    try {
      if (args.isEmpty()) {
        throw new IllegalArgumentException("a command is needed: keygen, sign, verify or inspect");
      }
      Map<String, String> options = new HashMap<>();
      String jar = null;
      for (int i = 1; i < args.size(); i++) {
        String a = args.get(i);
        if (a.startsWith("--")) {
          if (i + 1 >= args.size()) {
            throw new IllegalArgumentException(a + " needs a value");
          }
          options.put(a.substring(2), args.get(++i));
        } else if (jar == null) {
          jar = a;
        } else {
          throw new IllegalArgumentException("unexpected argument " + a);
        }
      }
      switch (args.getFirst()) {
        case "keygen" -> keygen(Path.of(required(options, "out")), out);
        case "sign" -> sign(Path.of(required(jar)), Path.of(required(options, "key")), out);
        case "verify" -> verify(Path.of(required(jar)), options, out);
        case "inspect" -> out.println(describe(PluginManifest.read(Files.readAllBytes(Path.of(required(jar))))));
        default -> throw new IllegalArgumentException("unknown command " + args.getFirst() + " (keygen, sign, verify, inspect)");
      }
      return 0;
    } catch (PluginRejected e) {
      err.println("refused (" + e.reason().code() + "): " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException | IOException e) {
      err.println("hotswap plugin: " + e.getMessage());
      return 2;
    }
  }

  private static void keygen(Path dir, PrintStream out) throws IOException {
    Files.createDirectories(dir);
    Path key = dir.resolve("publisher.key");
    Path pub = dir.resolve("publisher.pub");
    if (Files.exists(key)) {
      throw new IllegalArgumentException(key + " exists; a new key would orphan every plugin signed with it");
    }
    KeyPair pair = PluginSignatures.newKeyPair();
    Files.writeString(key, PluginSignatures.encode(pair.getPrivate()) + "\n");
    try {
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // a file system without POSIX permissions: the file stays as its directory's defaults make it
    }
    Files.writeString(pub, PluginSignatures.encode(pair.getPublic()) + "\n");
    out.println("wrote " + key + " (private: keep it secret) and " + pub + " (give it to the platform's trusted publishers)");
  }

  private static void sign(Path jar, Path keyFile, PrintStream out) throws IOException, PluginRejected {
    byte[] bytes = Files.readAllBytes(jar);
    PluginManifest manifest = PluginManifest.read(bytes); // refuse to sign what no host would load
    byte[] signature = PluginSignatures.sign(PluginSignatures.privateKey(Files.readString(keyFile)), bytes);
    Path sig = jar.resolveSibling(jar.getFileName() + ".sig");
    Files.writeString(sig, Base64.getEncoder().encodeToString(signature) + "\n");
    out.println("signed " + manifest.coordinates() + ": " + sig);
    out.println("sha256 " + PluginSignatures.sha256(bytes));
  }

  private static void verify(Path jar, Map<String, String> options, PrintStream out) throws IOException, PluginRejected {
    byte[] bytes = Files.readAllBytes(jar);
    Path sig = Path.of(options.getOrDefault("signature", jar + ".sig"));
    byte[] signature = Base64.getDecoder().decode(Files.readString(sig, StandardCharsets.US_ASCII).trim());
    TrustPolicy trust = TrustPolicy.trusting(Map.of("publisher",
        PluginSignatures.publicKey(Files.readString(Path.of(required(options, "publisher"))))));
    try (PluginHost host = PluginHost.builder(trust).build()) {
      PluginManifest m = host.install(new PluginBinary(bytes, PluginSignatures.sha256(bytes), signature));
      out.println("ok: " + describe(m));
    }
  }

  private static String describe(PluginManifest m) {
    return m.coordinates() + " (" + m.type() + ", entry point " + m.entryPoint() + ", plugin API " + m.apiVersion()
        + (m.dependencies().isEmpty() ? "" : ", needs " + m.dependencies()) + ")";
  }

  private static String required(Map<String, String> options, String name) {
    String v = options.get(name);
    if (v == null) {
      throw new IllegalArgumentException("--" + name + " is needed");
    }
    return v;
  }

  private static String required(String jar) {
    if (jar == null) {
      throw new IllegalArgumentException("the plugin jar is needed");
    }
    return jar;
  }
}
