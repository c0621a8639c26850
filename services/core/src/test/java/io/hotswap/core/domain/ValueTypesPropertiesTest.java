package io.hotswap.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotswap.avro.ValueType;
import io.hotswap.core.testing.ValueModel;
import java.math.BigDecimal;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Arbitrary;

/** Every type's check against the reference model: what is accepted, what is refused, and how. */
class ValueTypesPropertiesTest {

  @Provide
  Arbitrary<String> numbers() {
    return ValueModel.numbers();
  }

  @Provide
  Arbitrary<String> booleans() {
    return ValueModel.booleans();
  }

  @Provide
  Arbitrary<String> strings() {
    return ValueModel.strings();
  }

  @Provide
  Arbitrary<ValueModel.Json> json() {
    return ValueModel.json();
  }

  @Property(tries = 3000)
  void numbersAreJsonNumbersWithinDoubleRange(@ForAll("numbers") String value) {
    verdict(ValueType.NUMBER, value, ValueModel.accepts(ValueType.NUMBER, value));
    if (ValueModel.accepts(ValueType.NUMBER, value)) {
      // the stored text is the exact same number, and every reader gets a finite double from it
      String stored = ValueTypes.check(ValueType.NUMBER, value);
      assertThat(new BigDecimal(stored)).isEqualByComparingTo(new BigDecimal(value.strip()));
      assertThat(Double.isFinite(Double.parseDouble(stored))).isTrue();
    }
  }

  @Property(tries = 500)
  void booleansAreTrueOrFalseOnly(@ForAll("booleans") String value) {
    verdict(ValueType.BOOLEAN, value, ValueModel.accepts(ValueType.BOOLEAN, value));
  }

  @Property(tries = 1000)
  void stringsAreUnicode(@ForAll("strings") String value) {
    verdict(ValueType.STRING, value, ValueModel.accepts(ValueType.STRING, value));
  }

  @Property(tries = 2000)
  void jsonIsRfc8259WithNumbersInRange(@ForAll("json") ValueModel.Json value) {
    verdict(ValueType.JSON, value.text(), value.valid());
  }

  private static void verdict(ValueType type, String value, boolean accepted) {
    if (accepted) {
      assertThat(ValueTypes.check(type, value)).as("%s %s", type, value).isNotNull();
    } else {
      assertThatThrownBy(() -> ValueTypes.check(type, value)).as("%s %s", type, value).isInstanceOfSatisfying(Rejection.class, r -> {
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.field()).isEqualTo("value");
        assertThat(r.detail()).isNotBlank();
      });
    }
  }
}
