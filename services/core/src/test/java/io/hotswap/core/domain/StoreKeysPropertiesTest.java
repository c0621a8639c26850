package io.hotswap.core.domain;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Version keys are stored (store keys, topic keys): they must stay byte for byte what they always
 * were, and sort as the versions do, or a history scan would read versions out of order.
 */
class StoreKeysPropertiesTest {

  @Property(tries = 2000)
  void versionKeysAreTheFormattersZeroPaddedNumbers(@ForAll long version) {
    assertThat(StoreKeys.version("t", "development", "k", version)).isEqualTo("t|development|k|" + String.format("%019d", version));
    assertThat(StoreKeys.schemaVersion("t", "s", (int) version)).isEqualTo("t|s|" + String.format("%010d", (int) version));
    assertThat(StoreKeys.tenantKey("t", (int) version)).isEqualTo("t|" + String.format("%010d", (int) version));
  }

  @Property(tries = 2000)
  void versionKeysSortAsTheirVersions(@ForAll @LongRange(min = 0) long a, @ForAll @LongRange(min = 0) long b) {
    int byKey = Integer.signum(StoreKeys.version("t", "qa", "k", a).compareTo(StoreKeys.version("t", "qa", "k", b)));
    assertThat(byKey).isEqualTo(Long.signum(Long.compare(a, b)));
  }

  @Property(tries = 500)
  void widerNumbersAreWrittenWhole(@ForAll @IntRange(min = 1, max = 9) int width, @ForAll @LongRange(min = 0) long value) {
    assertThat(StoreKeys.zeroPadded(value, width)).isEqualTo(String.format("%0" + width + "d", value));
  }
}
