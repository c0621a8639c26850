package io.hotswap.core.domain;

import io.hotswap.avro.ValueType;
import io.hotswap.core.json.Json;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import tools.jackson.core.JacksonException;

/** Checks a value (always carried as text) against its declared type and the size limit. */
public final class ValueTypes {

  /** 1 MB: the largest value or profile accepted. */
  public static final int MAX_VALUE_BYTES = 1024 * 1024;

  private ValueTypes() {}

  /** Parses a type name in any letter case ({@code Number}); 400 when unknown. */
  public static ValueType parse(String name) {
    if (name == null) {
      throw Rejection.badRequest("invalid-type", "type is required: one of String, Number, Boolean, Json, Secret", "type");
    }
    try {
      return ValueType.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw Rejection.badRequest(
          "invalid-type", "type must be one of String, Number, Boolean, Json, Secret (got '" + Texts.abbreviate(name) + "')", "type");
    }
  }

  /** Returns the canonical text of {@code value}; throws 413/422 {@link Rejection}s. */
  public static String check(ValueType type, String value) {
    if (value == null) {
      throw Rejection.badRequest("missing-value", "value is required", "value");
    }
    if (type == ValueType.SECRET && io.hotswap.protocol.Envelope.isSealed(value)) {
      return value; // ciphertext: the gateway checked the clear value's size before sealing it
    }
    int bytes = value.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_VALUE_BYTES) {
      throw new Rejection(
          413, "value-too-large", "value is " + bytes + " bytes; the limit is " + MAX_VALUE_BYTES + " bytes (1 MB)", "value");
    }
    return switch (type) {
      case STRING, SECRET -> {
        requireUnicode(value);
        yield value;
      }
      case NUMBER -> number(value);
      case BOOLEAN -> {
        String v = value.strip();
        if (!v.equals("true") && !v.equals("false")) {
          throw Rejection.unprocessable("type-mismatch", "value '" + Texts.abbreviate(value) + "' is not a Boolean: only true or false", "value");
        }
        yield v;
      }
      case JSON -> {
        requireUnicode(value);
        try {
          tools.jackson.databind.JsonNode tree = STRICT_JSON.readTree(value);
          if (tree == null || tree.isMissingNode()) {
            throw Rejection.unprocessable("type-mismatch", "value is empty: a Json value is one JSON value (use null for none)", "value");
          }
          requireFiniteNumbers(tree);
          yield value;
        } catch (JacksonException e) {
          throw Rejection.unprocessable(
              "type-mismatch", "value is not valid JSON (RFC 8259) for type Json: " + e.getOriginalMessage(), "value");
        }
      }
    };
  }

  /** Longest Number accepted, in characters: a double needs at most 24; this leaves room for exact decimals. */
  public static final int MAX_NUMBER_CHARS = 1000;

  /** JSON's number grammar (RFC 8259 section 6): no leading +, no leading zeros, digits on both sides of a point. */
  private static final java.util.regex.Pattern JSON_NUMBER = java.util.regex.Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

  /**
   * RFC 8259 and nothing more: one value with nothing after it, no duplicate member names (a
   * reader keeping the first and one keeping the last would see different configurations), no
   * NaN, comments or single quotes (Jackson refuses those by default), nesting within Jackson's
   * default depth. Floats are read exactly so that out-of-range numbers can be seen.
   */
  private static final tools.jackson.databind.ObjectMapper STRICT_JSON = tools.jackson.databind.json.JsonMapper.builder()
      .enable(tools.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(tools.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(tools.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .build();

  /**
   * A Number is a JSON number within IEEE 754 double range: what every client can read back as a
   * number. {@code 1e400} (infinity to most readers) and {@code 1e-400} (zero to them) are refused
   * rather than stored as something clients disagree about. Returns the canonical text.
   */
  private static String number(String value) {
    String v = value.strip();
    if (v.length() > MAX_NUMBER_CHARS) {
      throw Rejection.unprocessable("type-mismatch", "value is not a Number: more than " + MAX_NUMBER_CHARS + " characters", "value");
    }
    if (!JSON_NUMBER.matcher(v).matches()) {
      throw Rejection.unprocessable("type-mismatch", "value '" + Texts.abbreviate(value) + "' is not a Number: write it as a JSON number,"
          + " like 42, -0.5 or 6.02e23", "value");
    }
    BigDecimal exact = new BigDecimal(v);
    requireDoubleRange(exact, "value");
    return exact.toString();
  }

  private static void requireDoubleRange(BigDecimal exact, String where) {
    double d = exact.doubleValue();
    if (Double.isInfinite(d)) {
      throw Rejection.unprocessable("number-out-of-range", where + " " + Texts.abbreviate(exact.toString())
          + " is beyond the range of a 64-bit floating-point number (about ±1.8e308), so clients would read it as infinity", "value");
    }
    if (d == 0.0 && exact.signum() != 0) {
      throw Rejection.unprocessable("number-out-of-range", where + " " + Texts.abbreviate(exact.toString())
          + " is too small for a 64-bit floating-point number (about 4.9e-324), so clients would read it as 0", "value");
    }
  }

  /** Numbers inside a Json value obey the same range as Number values. */
  private static void requireFiniteNumbers(tools.jackson.databind.JsonNode node) {
    if (node.isNumber()) {
      requireDoubleRange(node.decimalValue(), "number");
    }
    for (tools.jackson.databind.JsonNode child : node.values()) {
      requireFiniteNumbers(child);
    }
  }

  /**
   * Text must be Unicode: a lone surrogate (JSON lets a client write {@code "\\ud800"}) has no UTF-8
   * form and would be stored as '?'.
   */
  private static void requireUnicode(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw Rejection.unprocessable("invalid-text", "value holds a lone UTF-16 surrogate at character " + i
            + ": text must be valid Unicode", "value");
      }
    }
  }

  /** {@code Number}, {@code Json}: the spelling the API uses. */
  public static String display(ValueType type) {
    return Texts.display(type);
  }
}
