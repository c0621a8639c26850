package io.hotswap.core.domain;

import io.hotswap.avro.BatchItem;
import io.hotswap.avro.BatchOp;
import io.hotswap.avro.Command;
import io.hotswap.avro.CommandType;
import java.util.ArrayList;
import java.util.List;

/**
 * Rules shared by the stages that handle a batch of changes ({@code POST /api/v1/configs:batch}):
 * its size, how one item becomes the single change it stands for, and how a rejected item is
 * reported — as JSON Pointers into the request ({@code /items/3/value/port: …}), so a caller
 * importing a thousand keys can find the one that failed.
 */
public final class Batches {

  /** Most items one batch may carry. */
  public static final int MAX_ITEMS = 1000;

  private Batches() {}

  /** The single change an item stands for: the batch's envelope (same id, actor, trace) with the item's payload. */
  public static Command item(Command batch, BatchItem item, CommandType type) {
    return Command.newBuilder()
        .setCommandId(batch.getCommandId())
        .setType(type)
        .setTenantId(batch.getTenantId())
        .setActor(batch.getActor())
        .setSourceIp(batch.getSourceIp())
        .setTraceId(batch.getTraceId())
        .setIssuedAt(batch.getIssuedAt())
        .setConfig(item.getConfig())
        .build();
  }

  /** The command type of an explicit item operation; UPSERT is resolved by whoever knows whether the key exists. */
  public static CommandType type(BatchOp op, boolean exists) {
    return switch (op) {
      case CREATE -> CommandType.CONFIG_CREATE;
      case UPDATE -> CommandType.CONFIG_UPDATE;
      case DELETE -> CommandType.CONFIG_DELETE;
      case UPSERT -> exists ? CommandType.CONFIG_UPDATE : CommandType.CONFIG_CREATE;
    };
  }

  /** The operation a resolved command type stands for (what validation writes back into an UPSERT item). */
  public static BatchOp op(CommandType type) {
    return switch (type) {
      case CONFIG_CREATE -> BatchOp.CREATE;
      case CONFIG_UPDATE -> BatchOp.UPDATE;
      case CONFIG_DELETE -> BatchOp.DELETE;
      default -> throw new IllegalArgumentException(type + " is not a batch operation");
    };
  }

  /** The items of a batch command; 400 when there are none or more than {@link #MAX_ITEMS}. */
  public static List<BatchItem> require(Command batch) {
    List<BatchItem> items = batch.getBatch() == null ? List.of() : batch.getBatch();
    requireSize(items.size());
    return items;
  }

  /** 400 unless a batch of {@code items} items is between 1 and {@link #MAX_ITEMS}. */
  public static void requireSize(int items) {
    if (items == 0) {
      throw Rejection.badRequest("empty-batch", "a batch needs at least one item: {\"items\": [...]}", "items");
    }
    if (items > MAX_ITEMS) {
      throw Rejection.badRequest("batch-too-large", "a batch holds at most " + MAX_ITEMS + " items (got " + items + ")", "items");
    }
  }

  /**
   * Where item {@code index} broke a rule: each of the rejection's own pointers (a schema
   * violation's {@code /port}) under the item's field, or the item's field with the detail.
   */
  public static List<String> errors(int index, Rejection rejection) {
    String field = rejection.field() == null || rejection.field().equals("configId") ? "key" : rejection.field();
    String at = "/items/" + index + "/" + field;
    List<String> errors = new ArrayList<>();
    for (String e : rejection.errors()) {
      errors.add(e.startsWith("/:") ? at + e.substring(1) : e.startsWith("/") ? at + e : at + ": " + e);
    }
    if (errors.isEmpty()) {
      errors.add(at + ": " + rejection.detail() + " (" + rejection.type() + ")");
    }
    return errors;
  }

  /** What a stage does with one item: record it, or throw the {@link Rejection} it breaks. */
  @FunctionalInterface
  public interface ItemStep {
    void apply(int index, BatchItem item);
  }

  /**
   * Runs {@code step} over every item in order (each sees the ones before it), then keeps what
   * the steps wrote to the stores {@code undo} tracks — or, when any item was rejected, restores
   * them all and throws one 422 listing every bad item. {@code undo} is null for a step that
   * writes no store (validation's checks).
   */
  public static void allOrNothing(List<BatchItem> items, io.hotswap.core.stream.UndoLog undo, ItemStep step) {
    List<String> errors = new ArrayList<>();
    long bad = 0;
    if (undo != null) {
      undo.begin();
    }
    try {
      for (int i = 0; i < items.size(); i++) {
        try {
          step.apply(i, items.get(i));
        } catch (Rejection r) {
          errors.addAll(errors(i, r));
          bad++;
        }
      }
    } finally {
      if (undo == null) {
        // the step changed no store: nothing to keep or restore
      } else if (errors.isEmpty()) {
        undo.commit();
      } else {
        undo.rollback();
      }
    }
    if (!errors.isEmpty()) {
      throw rejected(errors, bad, items.size());
    }
  }

  /** 422 for a batch with bad items: nothing of it is applied; {@code errors} lists every bad item. */
  public static Rejection rejected(List<String> errors, long badItems, int items) {
    return Rejection.unprocessable("batch-rejected", badItems + " of " + items + " items broke a rule, so none was applied; "
        + "errors lists each with its JSON Pointer", "items").withErrors(errors);
  }
}
