package io.hotswap.gateway.reads;

import io.hotswap.core.domain.Rejection;
import java.util.List;

/** One page of a list answer. {@code page} is 0-based. */
public record Page<T>(List<T> items, int page, int size, long totalItems, long totalPages) {

  public static final int MAX_SIZE = 200;

  public static <T> Page<T> of(List<T> all, int page, int size) {
    check(page, size);
    int from = (int) Math.min((long) page * size, all.size());
    int to = Math.min(from + size, all.size());
    return new Page<>(List.copyOf(all.subList(from, to)), page, size, all.size(), (all.size() + size - 1) / size);
  }

  public static void check(int page, int size) {
    if (page < 0) {
      throw Rejection.badRequest("invalid-page", "page must be 0 or more (got " + page + ")", "page");
    }
    if (size < 1 || size > MAX_SIZE) {
      throw Rejection.badRequest("invalid-page", "size must be between 1 and " + MAX_SIZE + " (got " + size + ")", "size");
    }
  }
}
