package io.hotswap.gateway.web;

import io.hotswap.core.domain.Rejection;
import io.hotswap.gateway.pipeline.CommandGateway;
import io.hotswap.gateway.reads.StoreRouter;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/** Every error as RFC 9457 problem details, with the rule broken and the field it concerns. */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
public class ProblemHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ProblemHandler.class);
  static final String TYPE_BASE = "https://hotswap.io/problems/";

  private final io.micrometer.core.instrument.MeterRegistry meters;

  /**
   * Counts each request refused for the rule it broke as {@code requests.rejected} (tags
   * {@code reason}: the problem type, one of a fixed set, and {@code status}) — whichever part
   * decided: the gateway's own checks or a stage of the pipeline (validation, approval, rollout).
   * The seeds' validation failures are its 400 and 422 series.
   */
  ProblemHandler(io.micrometer.core.instrument.MeterRegistry meters) {
    this.meters = meters;
  }

  public static ProblemDetail problem(int status, String type, String detail, String field) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatusCode.valueOf(status), detail);
    p.setType(URI.create(TYPE_BASE + type));
    HttpStatus known = HttpStatus.resolve(status);
    p.setTitle(known == null ? "Error" : known.getReasonPhrase());
    if (field != null) {
      p.setProperty("field", field);
    }
    return p;
  }

  @ExceptionHandler(Rejection.class)
  ResponseEntity<ProblemDetail> rejection(Rejection r) {
    meters.counter("requests.rejected", "reason", r.type(), "status", Integer.toString(r.status())).increment();
    ProblemDetail p = problem(r.status(), r.type(), r.detail(), r.field());
    if (!r.errors().isEmpty()) {
      p.setProperty("errors", r.errors());
    }
    return ResponseEntity.status(r.status()).body(p);
  }

  @ExceptionHandler(HttpMessageNotReadableException.class)
  ResponseEntity<ProblemDetail> unreadable(HttpMessageNotReadableException e) {
    String cause = e.getMostSpecificCause().getMessage();
    String detail = "Request body is not valid JSON or does not match the expected shape: "
        + (cause == null ? "empty body" : cause.lines().findFirst().orElse(cause));
    return ResponseEntity.badRequest().body(problem(400, "malformed-request", detail, null));
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ResponseEntity<ProblemDetail> typeMismatch(MethodArgumentTypeMismatchException e) {
    return ResponseEntity.badRequest().body(problem(400, "invalid-parameter",
        "parameter '" + e.getName() + "' has an invalid value '" + e.getValue() + "'", e.getName()));
  }

  @ExceptionHandler(org.springframework.web.multipart.MaxUploadSizeExceededException.class)
  ResponseEntity<ProblemDetail> tooLarge(org.springframework.web.multipart.MaxUploadSizeExceededException e) {
    return ResponseEntity.status(413).body(problem(413, "upload-too-large", "the upload is larger than this gateway takes: " + e.getMessage(), null));
  }

  @ExceptionHandler({org.springframework.web.multipart.support.MissingServletRequestPartException.class,
      org.springframework.web.multipart.MultipartException.class})
  ResponseEntity<ProblemDetail> badMultipart(Exception e) {
    return ResponseEntity.badRequest().body(problem(400, "malformed-upload", "a multipart/form-data upload was expected: " + e.getMessage(), null));
  }

  @ExceptionHandler(MissingRequestHeaderException.class)
  ResponseEntity<ProblemDetail> missingHeader(MissingRequestHeaderException e) {
    return ResponseEntity.badRequest().body(problem(400, "missing-header", e.getMessage(), e.getHeaderName()));
  }

  @ExceptionHandler(CommandGateway.PipelineTimeout.class)
  ResponseEntity<ProblemDetail> timeout(CommandGateway.PipelineTimeout e) {
    ProblemDetail p = problem(503, "pipeline-timeout", e.getMessage(), null);
    p.setProperty("commandId", e.commandId());
    return ResponseEntity.status(503).header("Retry-After", "1").body(p);
  }

  @ExceptionHandler(io.hotswap.gateway.ratelimit.RateLimits.RateLimited.class)
  ResponseEntity<ProblemDetail> rateLimited(io.hotswap.gateway.ratelimit.RateLimits.RateLimited e) {
    var d = e.decision();
    return ResponseEntity.status(429)
        .header("Retry-After", Long.toString(d.retryAfterSeconds()))
        .header("RateLimit-Limit", Integer.toString(d.limit()))
        .header("RateLimit-Remaining", "0")
        .header("RateLimit-Reset", Long.toString(d.retryAfterSeconds()))
        .body(problem(429, "rate-limited", e.getMessage(), null));
  }

  @ExceptionHandler(StoreRouter.StoreUnavailable.class)
  ResponseEntity<ProblemDetail> unavailable(StoreRouter.StoreUnavailable e) {
    return ResponseEntity.status(503).header("Retry-After", "1").body(problem(503, "state-unavailable", e.getMessage(), null));
  }

  /** Tomcat could not decode a form-encoded body or query (a bad %-escape): the client's mistake, not an outage. */
  @ExceptionHandler(org.apache.tomcat.util.http.InvalidParameterException.class)
  ResponseEntity<ProblemDetail> undecodable(org.apache.tomcat.util.http.InvalidParameterException e) {
    return ResponseEntity.badRequest().body(problem(400, "malformed-request", "the request's parameters could not be decoded: "
        + e.getMessage().lines().findFirst().orElse(""), null));
  }

  @ExceptionHandler(IllegalStateException.class)
  ResponseEntity<ProblemDetail> kafkaDown(IllegalStateException e) {
    LOG.warn("Request failed: {}", e.getMessage());
    return ResponseEntity.status(503).header("Retry-After", "5").body(problem(503, "backend-unavailable", e.getMessage(), null));
  }
}
