package io.hotswap.core.json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Structural diff of two JSON documents as a list of changes, each with its JSON Pointer (RFC
 * 6901) and old/new values, such that {@link #apply}(a, diff(a, b)) equals b. Objects are
 * compared by member, arrays by index (a shorter array's tail is removed from the end).
 */
public final class JsonDiff {

  private JsonDiff() {}

  /** What happened at a path. */
  public enum Op { ADDED, REMOVED, CHANGED }

  /** One change; {@code oldValue} is null for ADDED, {@code newValue} for REMOVED. */
  public record Change(Op op, String path, JsonNode oldValue, JsonNode newValue) {}

  public static List<Change> diff(JsonNode a, JsonNode b) {
    List<Change> changes = new ArrayList<>();
    diff("", a, b, changes);
    return changes;
  }

  private static void diff(String path, JsonNode a, JsonNode b, List<Change> out) {
    if (a.equals(b)) {
      return;
    }
    if (a.isObject() && b.isObject()) {
      for (Map.Entry<String, JsonNode> e : a.properties()) {
        String p = path + "/" + escape(e.getKey());
        JsonNode other = b.get(e.getKey());
        if (other == null) {
          out.add(new Change(Op.REMOVED, p, e.getValue(), null));
        } else {
          diff(p, e.getValue(), other, out);
        }
      }
      for (Map.Entry<String, JsonNode> e : b.properties()) {
        if (!a.has(e.getKey())) {
          out.add(new Change(Op.ADDED, path + "/" + escape(e.getKey()), null, e.getValue()));
        }
      }
      return;
    }
    if (a.isArray() && b.isArray()) {
      int common = Math.min(a.size(), b.size());
      for (int i = 0; i < common; i++) {
        diff(path + "/" + i, a.get(i), b.get(i), out);
      }
      for (int i = a.size() - 1; i >= common; i--) {
        out.add(new Change(Op.REMOVED, path + "/" + i, a.get(i), null));
      }
      for (int i = common; i < b.size(); i++) {
        out.add(new Change(Op.ADDED, path + "/" + i, null, b.get(i)));
      }
      return;
    }
    out.add(new Change(Op.CHANGED, path, a, b));
  }

  /** Applies changes in order to a copy of {@code a}. */
  public static JsonNode apply(JsonNode a, List<Change> changes) {
    JsonNode root = a.deepCopy();
    for (Change c : changes) {
      if (c.path().isEmpty()) {
        root = c.newValue().deepCopy();
        continue;
      }
      int slash = c.path().lastIndexOf('/');
      JsonNode parent = root.at(c.path().substring(0, slash));
      String last = unescape(c.path().substring(slash + 1));
      if (parent instanceof ObjectNode obj) {
        if (c.op() == Op.REMOVED) {
          obj.remove(last);
        } else {
          obj.set(last, c.newValue().deepCopy());
        }
      } else if (parent instanceof ArrayNode arr) {
        int i = Integer.parseInt(last);
        switch (c.op()) {
          case REMOVED -> arr.remove(i);
          case ADDED -> arr.insert(i, c.newValue().deepCopy());
          case CHANGED -> arr.set(i, c.newValue().deepCopy());
        }
      } else {
        throw new IllegalArgumentException("no container at " + c.path());
      }
    }
    return root;
  }

  /** Scalars (and any non-JSON values) compare as a whole: one CHANGED at the root. */
  public static List<Change> diffText(String a, String b) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    JsonNode x = a == null ? f.nullNode() : f.stringNode(a);
    JsonNode y = b == null ? f.nullNode() : f.stringNode(b);
    return x.equals(y) ? List.of() : List.of(new Change(Op.CHANGED, "", x, y));
  }

  static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  static String unescape(String token) {
    return token.replace("~1", "/").replace("~0", "~");
  }
}
