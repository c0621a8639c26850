package io.hotswap.cli;

/**
 * What the CLI's exit status means, so scripts can branch on it. Documented in the README; a
 * value never changes meaning once released.
 */
final class ExitCodes {

  /** Done as asked. */
  static final int OK = 0;
  /** The platform refused the request as invalid (400, 413, 422 and other 4xx not listed below). */
  static final int REJECTED = 1;
  /** The command line itself was wrong (unknown option, missing argument): nothing was sent. */
  static final int USAGE = 2;
  /** What was named does not exist, or the token may not see it (404). */
  static final int NOT_FOUND = 3;
  /** No valid token (401) or the token's role may not do this (403). */
  static final int NOT_ALLOWED = 4;
  /** The request conflicts with the current state (409, 412: a stale version, a decided approval). */
  static final int CONFLICT = 5;
  /** The platform could not be reached, or was unavailable or rate-limited (5xx, 429): try again later. */
  static final int UNAVAILABLE = 6;
  /** A watched deployment ended rolled back (automatically or by someone). */
  static final int ROLLED_BACK = 7;
  /** The change was held for approval: accepted, not applied yet. */
  static final int HELD = 8;

  private ExitCodes() {}

  static int of(int httpStatus) {
    return switch (httpStatus) {
      case 404 -> NOT_FOUND;
      case 401, 403 -> NOT_ALLOWED;
      case 409, 412 -> CONFLICT;
      case 429 -> UNAVAILABLE;
      default -> httpStatus >= 500 ? UNAVAILABLE : REJECTED;
    };
  }
}
