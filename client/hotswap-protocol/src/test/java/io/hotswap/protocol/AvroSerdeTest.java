package io.hotswap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hotswap.avro.Command;
import io.hotswap.avro.CommandType;
import io.hotswap.avro.ConfigPayload;
import io.hotswap.avro.ValueType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

  private final Serdes serdes = Serdes.create();

  static Command command() {
    return Command.newBuilder()
        .setCommandId("c-1")
        .setType(CommandType.CONFIG_CREATE)
        .setTenantId("acme")
        .setActor("alice")
        .setIssuedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
        .setConfig(ConfigPayload.newBuilder().setEnvironment("development").setKey("feature.new_ui")
            .setValue("true").setValueType(ValueType.BOOLEAN).build())
        .build();
  }

  @Test
  void shouldRoundTripAGeneratedRecordWithSingleObjectEncoding() {
    Command original = command();

    byte[] bytes = serdes.command().serializer().serialize("t", original);

    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    assertThat(serdes.command().deserializer().deserialize("t", bytes)).isEqualTo(original);
  }

  @Test
  void shouldPassTombstonesThroughAsNull() {
    assertThat(serdes.command().serializer().serialize("t", null)).isNull();
    assertThat(serdes.command().deserializer().deserialize("t", null)).isNull();
  }

  @Test
  void shouldReadAWriterOneVersionNewerOnceItsSchemaIsKnown() throws Exception {
    // Given a newer writer that added an optional field
    Schema current = Command.getClassSchema();
    Schema newer = newerCommandSchema(current);
    GenericRecord record = new GenericData.Record(newer);
    Command c = command();
    for (Schema.Field f : current.getFields()) {
      Object v = c.get(f.name());
      record.put(f.name(), v instanceof org.apache.avro.specific.SpecificRecord ? toGeneric((org.apache.avro.specific.SpecificRecord) v) : v);
    }
    record.put("priority", 7);
    GenericData model = new GenericData();
    model.addLogicalTypeConversion(new org.apache.avro.data.TimeConversions.TimestampMillisConversion());
    ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(model, newer).encode(record);
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);

    // When the reader does not know it yet, it refuses with a clear error
    assertThatThrownBy(() -> serdes.command().fromBytes(bytes)).isInstanceOf(SerializationException.class)
        .hasMessageContaining("Command");

    // Then once the schema is published to the store, the reader resolves it and drops the new field
    serdes.schemaStore().add(newer);
    Command read = serdes.command().fromBytes(bytes);
    assertThat(read.getCommandId()).isEqualTo("c-1");
    assertThat(read.getConfig().getKey()).isEqualTo("feature.new_ui");
  }

  @Test
  void shouldRejectBytesThatAreNotSingleObjectEncoded() {
    assertThatThrownBy(() -> serdes.command().fromBytes("not avro".getBytes()))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Cannot decode Command");
  }

  @Test
  void shouldKnowEveryShippedSchemaByFingerprint() {
    HotSwapSchemaStore store = HotSwapSchemaStore.withShippedSchemas();
    for (Schema s : AvroSchemas.SHIPPED) {
      assertThat(store.findByFingerprint(HotSwapSchemaStore.fingerprint(s))).isEqualTo(s);
    }
    assertThat(store.schemas()).hasSize(AvroSchemas.SHIPPED.size());
    assertThat(store.add(Command.getClassSchema().toString())).isEqualTo(HotSwapSchemaStore.fingerprint(Command.getClassSchema()));
  }

  private static Schema newerCommandSchema(Schema current) {
    var fields = new java.util.ArrayList<Schema.Field>();
    for (Schema.Field f : current.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.add(new Schema.Field("priority", SchemaBuilder.builder().intType(), "new in v2", 0));
    return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
  }

  private static GenericRecord toGeneric(org.apache.avro.specific.SpecificRecord r) throws Exception {
    var out = new ByteArrayOutputStream();
    var enc = org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
    new org.apache.avro.specific.SpecificDatumWriter<>(r.getSchema()).write(r, enc);
    enc.flush();
    var dec = org.apache.avro.io.DecoderFactory.get().binaryDecoder(out.toByteArray(), null);
    return new org.apache.avro.generic.GenericDatumReader<GenericRecord>(r.getSchema()).read(null, dec);
  }
}
