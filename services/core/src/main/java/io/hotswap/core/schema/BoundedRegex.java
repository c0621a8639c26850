package io.hotswap.core.schema;

import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import com.networknt.schema.regex.RegularExpressions;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * JSON Schema {@code pattern} and {@code patternProperties} on the JDK engine, bounded in time.
 * Tenants write both the patterns (in their schemas) and the values (up to 1 MB) they run on,
 * inside the validation stream thread and the gateway's dry runs: one catastrophically
 * backtracking pattern ({@code ^(a+)+$} against {@code "aaaa…!"}) would otherwise hold that thread
 * for hours, the stream would miss its poll deadline, re-process the same command after the
 * rebalance, and stall every tenant on the partition. A match that runs past {@link #BUDGET}
 * throws {@link TooSlow}, which {@link ConfigSchemas#validate} turns into a violation: the value is
 * rejected with the reason, and the stream goes on.
 */
final class BoundedRegex implements RegularExpressionFactory {

  /** How long one pattern may run on one value; linear patterns over 1 MB take a few ms. */
  static final Duration BUDGET = Duration.ofMillis(100);

  static final BoundedRegex INSTANCE = new BoundedRegex(BUDGET);

  private final long budgetNanos;

  BoundedRegex(Duration budget) {
    this.budgetNanos = budget.toNanos();
  }

  @Override
  public RegularExpression getRegularExpression(String regex) {
    // the same ECMA-262 adjustments as the library's JDK factory
    Pattern pattern = Pattern.compile(RegularExpressions.replaceLongformCharacterProperties(RegularExpressions.replaceDollarAnchors(regex)));
    return value -> pattern.matcher(new Deadline(value, System.nanoTime() + budgetNanos, regex)).find();
  }

  /** A pattern ran out of its time budget on a value. */
  static final class TooSlow extends RuntimeException {
    private final String pattern;

    TooSlow(String pattern) {
      super("pattern ran longer than " + BUDGET.toMillis() + " ms", null, false, false);
      this.pattern = pattern;
    }

    String pattern() {
      return pattern;
    }
  }

  /** The value as the matcher reads it; every 1,024th read checks the clock (backtracking reads a lot). */
  private static final class Deadline implements CharSequence {
    private final String text;
    private final long deadline;
    private final String pattern;
    private int reads;

    Deadline(String text, long deadline, String pattern) {
      this.text = text;
      this.deadline = deadline;
      this.pattern = pattern;
    }

    @Override
    public char charAt(int index) {
      if ((++reads & 0x3FF) == 0 && System.nanoTime() - deadline > 0) {
        throw new TooSlow(pattern);
      }
      return text.charAt(index);
    }

    @Override
    public int length() {
      return text.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new Deadline(text.substring(start, end), deadline, pattern);
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
