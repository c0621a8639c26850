package io.hotswap.plugin.host;

/**
 * A plugin binary or version the host refuses, with a stable reason code (what a registry answers
 * in its problem details and the client reports) and a sentence saying what to do.
 */
public final class PluginRejected extends Exception {

  /** Why a plugin was refused; the code is what reports and problem details carry. */
  public enum Reason {
    CHECKSUM_MISMATCH("checksum-mismatch"),
    UNSIGNED("unsigned"),
    BAD_SIGNATURE("bad-signature"),
    BAD_MANIFEST("bad-manifest"),
    UNSUPPORTED_API("unsupported-api"),
    MISSING_DEPENDENCY("missing-dependency"),
    DEPENDENCY_CONFLICT("dependency-conflict"),
    NOT_INSTALLED("not-installed"),
    START_FAILED("start-failed"),
    NOT_HEALTHY("not-healthy");

    private final String code;

    Reason(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  private final Reason reason;

  public PluginRejected(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public PluginRejected(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
