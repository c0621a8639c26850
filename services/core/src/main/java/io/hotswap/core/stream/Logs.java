package io.hotswap.core.stream;

import org.slf4j.MDC;

/**
 * The log context of a change being handled: the trace and span it belongs to ({@code traceId},
 * {@code spanId}: the names Micrometer Tracing gives them on HTTP threads), its tenant
 * ({@code tenantId}) and its command ({@code commandId}). Set for the length of one command's
 * handling and cleared after, so a thread that moves on to the next record never logs under the
 * previous one's names. Structured (JSON) logs carry them as fields.
 */
public final class Logs {

  public static final String TRACE_ID = "traceId";
  public static final String SPAN_ID = "spanId";
  public static final String TENANT_ID = "tenantId";
  public static final String COMMAND_ID = "commandId";

  private Logs() {}

  /** Names the change being handled; null values are left out. */
  public static void put(String traceId, String spanId, String tenantId, String commandId) {
    set(TRACE_ID, traceId);
    set(SPAN_ID, spanId);
    set(TENANT_ID, tenantId);
    set(COMMAND_ID, commandId);
  }

  /** Forgets the change: after it, the thread logs under no change's names. */
  public static void clear() {
    MDC.remove(TRACE_ID);
    MDC.remove(SPAN_ID);
    MDC.remove(TENANT_ID);
    MDC.remove(COMMAND_ID);
  }

  private static void set(String key, String value) {
    if (value != null) {
      MDC.put(key, value);
    } else {
      MDC.remove(key);
    }
  }
}
