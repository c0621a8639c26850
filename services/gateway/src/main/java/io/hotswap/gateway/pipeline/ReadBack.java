package io.hotswap.gateway.pipeline;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/** The answer to a write, made of the read-back that shows it (read-your-writes, possibly forwarded from the owner). */
public final class ReadBack {

  private ReadBack() {}

  /**
   * {@code status} with {@code Location} and {@code ETag}, and the read-back's body and content
   * type; the read-back itself when it failed (a 503 while the owner does not serve the write yet).
   */
  public static ResponseEntity<?> answer(ResponseEntity<?> readBack, HttpStatus status, String location, String eTag) {
    if (!readBack.getStatusCode().is2xxSuccessful()) {
      return readBack;
    }
    return ResponseEntity.status(status)
        .location(URI.create(location))
        .eTag(eTag)
        .headers(h -> {
          if (readBack.getHeaders().getContentType() != null) {
            h.setContentType(readBack.getHeaders().getContentType());
          }
        })
        .body(readBack.getBody());
  }
}
