package io.hotswap.core.testing;

import io.hotswap.avro.ValueType;
import java.math.BigDecimal;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * What the API should accept for each value type, written independently of {@code ValueTypes}
 * (a hand-written scanner for JSON's number grammar, java.math for the range, code points for
 * Unicode), with generators of values valid and invalid. Property tests and the API test compare
 * the platform's verdict with this model.
 */
public final class ValueModel {

  private ValueModel() {}

  /** A value and the type it is offered as. */
  public record Case(ValueType type, String value) {}

  /** Whether the model accepts {@code value} as {@code type} (JSON text is judged by how it was generated: see {@link #json}). */
  public static boolean accepts(ValueType type, String value) {
    return switch (type) {
      case NUMBER -> number(value.strip());
      case BOOLEAN -> value.strip().equals("true") || value.strip().equals("false");
      case STRING, SECRET -> unicode(value);
      case JSON -> throw new IllegalArgumentException("JSON cases carry their verdict");
    };
  }

  private static boolean number(String s) {
    if (s.length() > 1000 || !jsonNumberSyntax(s)) {
      return false;
    }
    BigDecimal exact = new BigDecimal(s);
    double d = exact.doubleValue();
    return !Double.isInfinite(d) && !(d == 0.0 && exact.signum() != 0);
  }

  /** RFC 8259 section 6, scanned by hand: [-] int [frac] [exp]; int is 0 or a non-zero digit then digits. */
  static boolean jsonNumberSyntax(String s) {
    int i = 0;
    int n = s.length();
    if (i < n && s.charAt(i) == '-') {
      i++;
    }
    if (i >= n || !digit(s.charAt(i))) {
      return false;
    }
    if (s.charAt(i) == '0') {
      i++;
    } else {
      while (i < n && digit(s.charAt(i))) {
        i++;
      }
    }
    if (i < n && s.charAt(i) == '.') {
      i++;
      int start = i;
      while (i < n && digit(s.charAt(i))) {
        i++;
      }
      if (i == start) {
        return false;
      }
    }
    if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int start = i;
      while (i < n && digit(s.charAt(i))) {
        i++;
      }
      if (i == start) {
        return false;
      }
    }
    return i == n;
  }

  private static boolean digit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean unicode(String s) {
    return s.codePoints().noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF);
  }

  /** Number candidates: doubles as Java prints them, huge and tiny exponents, and near-numbers. */
  public static Arbitrary<String> numbers() {
    return Arbitraries.oneOf(
        Arbitraries.doubles().withSpecialValue(Double.NaN).withSpecialValue(Double.POSITIVE_INFINITY).withSpecialValue(Double.MAX_VALUE)
            .withSpecialValue(Double.MIN_VALUE).map(d -> Double.toString(d)),
        Arbitraries.longs().map(l -> Long.toString(l)),
        Arbitraries.integers().between(1, 9).flatMap(m -> Arbitraries.integers().between(-400, 400).map(e -> m + "e" + e)),
        Arbitraries.strings().withChars("0123456789-+.eE x").ofMinLength(0).ofMaxLength(10),
        Arbitraries.of("1e400", "-1e400", "1e-400", "0e-400", "0.0", "-0", "01", "+1", ".5", "1.", "0x10", " 42 ", "1_000", "١٢"));
  }

  public static Arbitrary<String> booleans() {
    return Arbitraries.oneOf(Arbitraries.of("true", "false", " true", "false\n", "TRUE", "True", "yes", "1", "0", "tru", "", "null"),
        Arbitraries.strings().withChars("truefalsTRUE ").ofMaxLength(6));
  }

  /** Any text, lone surrogates included (a JSON client can send "\ud800"). */
  public static Arbitrary<String> strings() {
    return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(20),
        Arbitraries.strings().withCharRange('\uD800', '\uDFFF').ofMinLength(1).ofMaxLength(3).map(s -> "ok" + s));
  }

  /** A JSON text and whether it is valid RFC 8259 JSON within the number range (by construction). */
  public record Json(String text, boolean valid) {}

  public static Arbitrary<Json> json() {
    Arbitrary<String> valid = jsonValue(3);
    return Arbitraries.oneOf(
        valid.map(t -> new Json(t, true)),
        valid.map(t -> new Json(t + " x", false)),
        valid.map(t -> new Json("[" + t, false)),
        valid.map(t -> new Json("{\"a\": " + t + ", \"a\": 1}", false)),
        valid.map(t -> new Json("[" + t + ",]", false)),
        Arbitraries.of(new Json("NaN", false), new Json("[Infinity]", false), new Json("{'a': 1}", false), new Json("[1e400]", false),
            new Json("{\"small\": 1e-400}", false), new Json("/* c */ 1", false), new Json("", false), new Json("{\"a\":1}{}", false),
            new Json("\"\\ud800\"", true), new Json("[1e308, -1e308, 4.9e-324]", true)));
  }

  private static Arbitrary<String> jsonValue(int depth) {
    Arbitrary<String> scalar = Arbitraries.oneOf(
        Arbitraries.doubles().between(-1e300, 1e300).map(d -> Double.toString(d).replace("E", "e")),
        Arbitraries.integers().map(Object::toString),
        Arbitraries.strings().alpha().numeric().withChars(" äß€\"\\").ofMaxLength(8).map(ValueModel::quote),
        Arbitraries.of("\"😀\"", "\"\\ud83d\\ude00\""),
        Arbitraries.of("true", "false", "null"));
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<String> array = jsonValue(depth - 1).list().ofMaxSize(3).map(l -> "[" + String.join(",", l) + "]");
    Arbitrary<String> object = jsonValue(depth - 1).list().ofMaxSize(3).map(ValueModel::object);
    return Arbitraries.oneOf(scalar, array, object);
  }

  private static String object(List<String> values) {
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < values.size(); i++) {
      b.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(values.get(i));
    }
    return b.append('}').toString();
  }

  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
