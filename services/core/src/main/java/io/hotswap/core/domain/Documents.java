package io.hotswap.core.domain;

import io.hotswap.core.json.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** Profile documents: JSON objects, given as a tree or as JSON text. */
public final class Documents {

  private Documents() {}

  /** The document as an object tree: a string is read as JSON text; 400 when absent, 422 when not a JSON object. */
  public static JsonNode requireObject(JsonNode document) {
    if (document == null || document.isNull() || document.isMissingNode()) {
      throw Rejection.badRequest("missing-document", "document (a JSON object) is required", "document");
    }
    JsonNode tree = document.isString() ? parse(document.asString()) : document;
    if (!tree.isObject()) {
      throw Rejection.unprocessable("invalid-document", "document must be a JSON object", "document");
    }
    return tree;
  }

  /** Reads a document's JSON text; 400 when absent, 422 when not JSON or not an object. */
  public static JsonNode requireObject(String text) {
    if (text == null) {
      throw Rejection.badRequest("missing-document", "document (a JSON object) is required", "document");
    }
    return requireObject(parse(text));
  }

  private static JsonNode parse(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (JacksonException e) {
      throw Rejection.unprocessable("invalid-document", "document is not valid JSON: " + e.getOriginalMessage(), "document");
    }
  }
}
