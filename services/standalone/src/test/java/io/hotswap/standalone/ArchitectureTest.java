package io.hotswap.standalone;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rules that keep the services separate; each says how to fix a violation. */
class ArchitectureTest {

  static final List<String> SERVICES = List.of("gateway", "validation", "approval", "rollout", "audit");
  static final JavaClasses CLASSES = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.hotswap");

  @Test
  void servicesShouldNotImportEachOther() {
    for (String service : SERVICES) {
      String[] others = SERVICES.stream().filter(s -> !s.equals(service)).map(s -> "io.hotswap." + s + "..").toArray(String[]::new);
      noClasses().that().resideInAPackage("io.hotswap." + service + "..")
          .should().dependOnClassesThat().resideInAnyPackage(others)
          .because("services deploy and scale alone; share code through services/core, schemas-avro or the Spring wiring in "
              + "services/service-autoconfigure, data through topics")
          .check(CLASSES);
    }
  }

  @Test
  void coreShouldNeedNoSpringAndNoService() {
    noClasses().that().resideInAPackage("io.hotswap.core..")
        .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "io.hotswap.gateway..", "io.hotswap.validation..",
            "io.hotswap.approval..", "io.hotswap.rollout..", "io.hotswap.audit..", "io.hotswap.standalone..")
        .because("core is shared by every service and by clients; move Spring wiring into the service that needs it")
        .check(CLASSES);
  }

  @Test
  void sharedWiringShouldKnowNoService() {
    noClasses().that().resideInAPackage("io.hotswap.autoconfigure..")
        .should().dependOnClassesThat().resideInAnyPackage("io.hotswap.gateway..", "io.hotswap.validation..", "io.hotswap.approval..",
            "io.hotswap.rollout..", "io.hotswap.audit..", "io.hotswap.standalone..", "io.hotswap.client..")
        .because("the auto-configuration is what every service shares; a bean only one service needs belongs in that service")
        .check(CLASSES);
  }

  @Test
  void onlyTopologyClassesShouldBuildStreams() {
    noClasses().that().haveSimpleNameNotEndingWith("Topology")
        .should().callMethodWhere(com.tngtech.archunit.core.domain.JavaCall.Predicates.target(
            com.tngtech.archunit.core.domain.properties.HasOwner.Predicates.With.owner(
                com.tngtech.archunit.base.DescribedPredicate.describe("StreamsBuilder",
                    c -> c.isEquivalentTo(org.apache.kafka.streams.StreamsBuilder.class)))))
        .because("keep topologies pure and testable with TopologyTestDriver: put stream building in the service's *Topology class")
        .check(CLASSES);
  }

  @Test
  void clientShouldNeedNoSpringNoServiceAndNoCore() {
    noClasses().that().resideInAnyPackage("io.hotswap.client", "io.hotswap.client.internal")
        .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "io.hotswap.core..", "io.hotswap.autoconfigure..",
            "io.hotswap.gateway..", "io.hotswap.validation..", "io.hotswap.approval..", "io.hotswap.rollout..", "io.hotswap.audit..",
            "io.hotswap.standalone..")
        .because("services embed the client: it speaks the wire contract in hotswap-protocol and Kafka only; Spring wiring lives in "
            + "the starter (io.hotswap.client.spring)")
        .check(CLASSES);
  }

  @Test
  void protocolShouldHoldOnlyTheWireContract() {
    noClasses().that().resideInAPackage("io.hotswap.protocol..")
        .should().dependOnClassesThat().resideInAnyPackage("io.hotswap.core..", "io.hotswap.client..", "org.springframework..",
            "org.apache.kafka.streams..", "com.networknt..")
        .because("hotswap-protocol is what the platform and every service embedding the client must agree on: topic names, record "
            + "formats (Avro, and the JSON of a plugin assignment, read with the Jackson the client has anyway), envelope crypto "
            + "over kafka-clients; server-side rules belong in services/core")
        .check(CLASSES);
  }

  @Test
  void clientShouldRunWithoutStreamsAndTheSchemaValidator() {
    // the client's pom names only hotswap-protocol, the plugin host (JDK and semver4j), kafka-clients, Jackson and SLF4J: nothing the
    // client or the starter reaches, directly or through the protocol, may need more
    noClasses().that().resideInAPackage("io.hotswap.client..")
        .should().transitivelyDependOnClassesThat().resideInAnyPackage("org.apache.kafka.streams..", "com.networknt..")
        .because("services embed the client and must not inherit HotSwap's server-side dependencies")
        .check(CLASSES);
  }
}
