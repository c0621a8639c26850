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
    if (type == ValueType.SECRET && io.hotswap.core.security.Envelope.isSealed(value)) {
      return value; // ciphertext: the gateway checked the clear value's size before sealing it
    }
    int bytes = value.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_VALUE_BYTES) {
      throw new Rejection(
          413, "value-too-large", "value is " + bytes + " bytes; the limit is " + MAX_VALUE_BYTES + " bytes (1 MB)", "value");
    }
    return switch (type) {
      case STRING, SECRET -> value;
      case NUMBER -> {
        try {
          yield new BigDecimal(value.trim()).toString();
        } catch (NumberFormatException e) {
          throw mismatch(type, value);
        }
      }
      case BOOLEAN -> {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
          throw mismatch(type, value);
        }
        yield v;
      }
      case JSON -> {
        try {
          Json.MAPPER.readTree(value);
          yield value;
        } catch (JacksonException e) {
          throw Rejection.unprocessable(
              "type-mismatch", "value is not valid JSON for type Json: " + e.getOriginalMessage(), "value");
        }
      }
    };
  }

  private static Rejection mismatch(ValueType type, String value) {
    return Rejection.unprocessable(
        "type-mismatch", "value '" + Texts.abbreviate(value) + "' is not a valid " + display(type), "value");
  }

  /** {@code Number}, {@code Json}: the spelling the API uses. */
  public static String display(ValueType type) {
    return Texts.display(type);
  }
}
