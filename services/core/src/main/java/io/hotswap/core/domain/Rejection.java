package io.hotswap.core.domain;

/**
 * A request that breaks a rule: carries the HTTP status, a problem type slug (RFC 9457 {@code
 * type} is {@code https://hotswap.io/problems/<slug>}), the detail and the offending field.
 */
public final class Rejection extends RuntimeException {

  private final int status;
  private final String type;
  private final String field;
  private java.util.List<String> errors = java.util.List.of();

  public Rejection(int status, String type, String detail, String field) {
    super(detail);
    this.status = status;
    this.type = type;
    this.field = field;
  }

  public static Rejection badRequest(String type, String detail, String field) {
    return new Rejection(400, type, detail, field);
  }

  public static Rejection notFound(String type, String detail, String field) {
    return new Rejection(404, type, detail, field);
  }

  public static Rejection conflict(String type, String detail, String field) {
    return new Rejection(409, type, detail, field);
  }

  public static Rejection unprocessable(String type, String detail, String field) {
    return new Rejection(422, type, detail, field);
  }

  /** Each violated rule (a JSON Pointer and a message, or a breaking schema change), shown as {@code errors} in the problem. */
  public Rejection withErrors(java.util.List<String> errors) {
    this.errors = java.util.List.copyOf(errors);
    return this;
  }

  public java.util.List<String> errors() {
    return errors;
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public String field() {
    return field;
  }

  public String detail() {
    return getMessage();
  }
}
