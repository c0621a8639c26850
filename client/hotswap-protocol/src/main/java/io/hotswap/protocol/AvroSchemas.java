package io.hotswap.protocol;

import io.hotswap.avro.AuditEvent;
import io.hotswap.avro.AvroSchemaRecord;
import io.hotswap.avro.Command;
import io.hotswap.avro.CommandResult;
import io.hotswap.avro.ConfigEntry;
import io.hotswap.avro.LiveConfig;
import io.hotswap.avro.Tenant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * The record schemas HotSwap writes to Kafka, and the one place that tells Avro (≥ 1.12.1) that
 * HotSwap's generated classes may be instantiated while decoding.
 */
public final class AvroSchemas {

  /** Package of the classes generated from {@code schemas-avro}. */
  public static final String GENERATED_PACKAGE = "io.hotswap.avro";

  /** Every top-level record written to a topic, shipped in this jar. */
  public static final List<Schema> SHIPPED =
      List.of(
          Command.getClassSchema(),
          CommandResult.getClassSchema(),
          Tenant.getClassSchema(),
          ConfigEntry.getClassSchema(),
          LiveConfig.getClassSchema(),
          AuditEvent.getClassSchema(),
          AvroSchemaRecord.getClassSchema(),
          io.hotswap.avro.TenantKey.getClassSchema(),
          io.hotswap.avro.ApprovalRequest.getClassSchema(),
          io.hotswap.avro.ConfigSchema.getClassSchema(),
          io.hotswap.avro.ConfigProfile.getClassSchema(),
          io.hotswap.avro.ServiceInstance.getClassSchema(),
          io.hotswap.avro.HealthReport.getClassSchema(),
          io.hotswap.avro.InstanceState.getClassSchema(),
          io.hotswap.avro.Deployment.getClassSchema(),
          io.hotswap.avro.WaveDeployment.getClassSchema(),
          io.hotswap.avro.WaveSignal.getClassSchema(),
          io.hotswap.avro.PluginVersion.getClassSchema());

  private static volatile boolean trusted;

  private AvroSchemas() {}

  /**
   * Adds HotSwap's generated package to Avro's global class trust list, keeping Avro's defaults
   * (java.lang, java.util, ...) and whatever the JVM's system properties already trust. Idempotent.
   */
  public static synchronized void trustGeneratedClasses() {
    if (trusted) {
      return;
    }
    ClassSecurityValidator.ClassSecurityPredicate hotswap =
        type -> type.getName().startsWith(GENERATED_PACKAGE + ".");
    ClassSecurityValidator.setGlobal(
        ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), hotswap));
    trusted = true;
  }
}
