package io.hotswap.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The client's public API, written out in {@code src/test/resources/api/hotswap-client.api}: a
 * change to it fails here until the file is updated on purpose (run with
 * {@code -Dhotswap.api.update=true} and review the diff), so services that embed the client are
 * never broken by accident. The API also never shows the wire format or the machinery behind it.
 */
class PublicApiTest {

  static final Path API_FILE = Path.of("src/test/resources/api/hotswap-client.api");
  static final List<String> HIDDEN = List.of("io.hotswap.avro", "org.apache.avro", "org.apache.kafka", "io.hotswap.protocol",
      "io.hotswap.client.internal");

  @Test
  void shouldMatchTheRecordedApi() throws Exception {
    String api = String.join("\n", describeApi()) + "\n";
    if (Boolean.getBoolean("hotswap.api.update")) {
      Files.writeString(API_FILE, api, StandardCharsets.UTF_8);
    }
    assertThat(API_FILE).as("the recorded API; create it with -Dhotswap.api.update=true").exists();
    assertThat(api).as("the public API changed: if on purpose, run with -Dhotswap.api.update=true and commit the file")
        .isEqualTo(Files.readString(API_FILE, StandardCharsets.UTF_8));
  }

  @Test
  void shouldShowNeitherTheWireFormatNorTheMachinery() throws Exception {
    List<String> leaks = describeApi().stream().filter(line -> HIDDEN.stream().anyMatch(line::contains)).toList();
    assertThat(leaks).as("public signatures naming Avro, Kafka, the protocol or the client's internals").isEmpty();
  }

  @Test
  void shouldKeepEveryClientClassSmall() throws IOException {
    Path sources = Path.of("src/main/java");
    try (Stream<Path> files = Files.walk(sources)) {
      List<String> large = files.filter(p -> p.toString().endsWith(".java")).filter(p -> lines(p) > 400)
          .map(p -> sources.relativize(p) + " (" + lines(p) + " lines)").toList();
      assertThat(large).as("one job per class: split what grew past 400 lines").isEmpty();
    }
  }

  private static long lines(Path p) {
    try (Stream<String> l = Files.lines(p)) {
      return l.count();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every public type of io.hotswap.client with its public and protected members, one line each, sorted. */
  static List<String> describeApi() throws IOException, URISyntaxException, ClassNotFoundException {
    Path dir = Path.of(HotSwapClient.class.getProtectionDomain().getCodeSource().getLocation().toURI()).resolve("io/hotswap/client");
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (String name : files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class")).sorted().toList()) {
        Class<?> type = Class.forName("io.hotswap.client." + name.substring(0, name.length() - ".class".length()));
        if (isPublic(type)) {
          out.addAll(describe(type));
        }
      }
    }
    return out;
  }

  private static boolean isPublic(Class<?> type) {
    for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
      if (!Modifier.isPublic(t.getModifiers())) {
        return false;
      }
    }
    return !type.isSynthetic() && !type.isAnonymousClass();
  }

  private static List<String> describe(Class<?> type) {
    String name = type.getName();
    TreeSet<String> members = new TreeSet<>();
    for (Field f : type.getDeclaredFields()) {
      if (visible(f.getModifiers()) && !f.isSynthetic()) {
        members.add(name + " field " + mods(f.getModifiers()) + f.getGenericType().getTypeName() + " " + f.getName());
      }
    }
    for (Constructor<?> c : type.getDeclaredConstructors()) {
      if (visible(c.getModifiers()) && !c.isSynthetic()) {
        members.add(name + " new(" + params(c) + ")");
      }
    }
    for (Method m : type.getDeclaredMethods()) {
      if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
        members.add(name + " method " + mods(m.getModifiers()) + m.getGenericReturnType().getTypeName() + " " + m.getName() + "("
            + params(m) + ")" + throwsClause(m));
      }
    }
    String header = name + " " + kind(type) + supertypes(type);
    List<String> lines = new ArrayList<>();
    lines.add(header);
    lines.addAll(members);
    return lines;
  }

  private static boolean visible(int mods) {
    return Modifier.isPublic(mods) || Modifier.isProtected(mods);
  }

  private static String mods(int mods) {
    return (Modifier.isStatic(mods) ? "static " : "") + (Modifier.isFinal(mods) ? "final " : "") + (Modifier.isProtected(mods) ? "protected " : "");
  }

  private static String params(Executable e) {
    return Arrays.stream(e.getGenericParameterTypes()).map(java.lang.reflect.Type::getTypeName).collect(Collectors.joining(", "));
  }

  private static String throwsClause(Method m) {
    return m.getExceptionTypes().length == 0 ? ""
        : " throws " + Arrays.stream(m.getExceptionTypes()).map(Class::getName).collect(Collectors.joining(", "));
  }

  private static String kind(Class<?> type) {
    String k = type.isRecord() ? "record" : type.isEnum() ? "enum" : type.isInterface() ? "interface" : "class";
    return (type.isSealed() ? "sealed " : "") + (Modifier.isFinal(type.getModifiers()) && !type.isRecord() && !type.isEnum() ? "final " : "") + k;
  }

  private static String supertypes(Class<?> type) {
    List<String> s = new ArrayList<>();
    if (type.getGenericSuperclass() != null && !List.of(Object.class, Record.class, Enum.class).contains(type.getSuperclass())) {
      s.add(type.getGenericSuperclass().getTypeName());
    }
    Arrays.stream(type.getGenericInterfaces()).map(java.lang.reflect.Type::getTypeName).forEach(s::add);
    return s.isEmpty() ? "" : " : " + String.join(", ", s);
  }
}
