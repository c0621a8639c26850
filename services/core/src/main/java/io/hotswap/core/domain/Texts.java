package io.hotswap.core.domain;

/** Small text helpers for messages. */
public final class Texts {

  private Texts() {}

  /** At most 60 characters of a user-supplied string, for error messages. */
  public static String abbreviate(String s) {
    if (s == null) {
      return "null";
    }
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }

  /** A free-text field (a comment, a reason) of at most {@code max} characters; 400 naming the field when longer. */
  public static String limit(String s, int max, String field) {
    if (s != null && s.length() > max) {
      throw Rejection.badRequest("text-too-long", field + " can be at most " + max + " characters (got " + s.length() + ")", field);
    }
    return s;
  }

  /** {@code Enterprise}, {@code Active}: the spelling the API uses for enum values. */
  public static String display(Enum<?> value) {
    return DISPLAYED.get(value.getDeclaringClass())[value.ordinal()];
  }

  /** Each enum's names as shown, worked out once per enum: every config read shows its value type. */
  private static final ClassValue<String[]> DISPLAYED = new ClassValue<>() {
    @Override
    protected String[] computeValue(Class<?> type) {
      Object[] constants = type.getEnumConstants();
      String[] shown = new String[constants.length];
      for (int i = 0; i < constants.length; i++) {
        String n = ((Enum<?>) constants[i]).name();
        shown[i] = n.charAt(0) + n.substring(1).toLowerCase(java.util.Locale.ROOT);
      }
      return shown;
    }
  };

  /** Parses an enum value in any letter case; 400 naming the field and the allowed values when unknown. */
  public static <E extends Enum<E>> E parse(Class<E> type, String value, String field) {
    if (value == null) {
      return null;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(value)) {
        return e;
      }
    }
    java.util.List<String> allowed = java.util.Arrays.stream(type.getEnumConstants()).map(Texts::display).toList();
    throw Rejection.badRequest("invalid-" + field, field + " must be one of " + allowed + " (got '" + abbreviate(value) + "')", field);
  }
}
