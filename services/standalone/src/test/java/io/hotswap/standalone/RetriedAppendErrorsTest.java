package io.hotswap.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.spi.FilterReply;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;

class RetriedAppendErrorsTest {

  private static final String RETRIED = "Invalid sequence number for producer 5 at offset 607 in partition hotswap.validated.v1-1: "
      + "2 (incoming seq. number). Expected sequence 0 for transactions v2 idempotent producer with no existing state.";

  private static LoggingEvent error(LoggerContext context, String logger, Throwable thrown) {
    return new LoggingEvent(logger, context.getLogger(logger), Level.ERROR, "[ReplicaManager broker=1] Error processing append operation", thrown, null);
  }

  /** The console of ./hotswap up, as logback.xml and the embedded broker set it up: which broker errors reach it. */
  @Test
  void shouldKeepOnlyTheRetriedSequenceRejectionOffTheConsole() throws Exception {
    LoggerContext context = new LoggerContext();
    JoranConfigurator config = new JoranConfigurator();
    config.setContext(context);
    System.setProperty("HOTSWAP_DATA_DIR", java.nio.file.Files.createTempDirectory("logs").toString());
    config.doConfigure(getClass().getResource("/logback.xml"));
    RetriedAppendErrors.install(context); // as the embedded broker does when it starts
    RetriedAppendErrors.install(context);
    assertThat(context.getLogger("kafka").getAppender("CONSOLE_ERRORS").getCopyOfAttachedFiltersList()).as("once")
        .filteredOn(RetriedAppendErrors.class::isInstance).hasSize(1);
    Appender<ch.qos.logback.classic.spi.ILoggingEvent> console = context.getLogger("kafka").getAppender("CONSOLE_ERRORS");

    assertThat(console.getFilterChainDecision(error(context, RetriedAppendErrors.LOGGER, new OutOfOrderSequenceException(RETRIED))))
        .isEqualTo(FilterReply.DENY);
    assertThat(console.getFilterChainDecision(error(context, RetriedAppendErrors.LOGGER,
        new OutOfOrderSequenceException("Out of order sequence number for producer 5: 7 (incoming seq. number), 3 (current end sequence number)"))))
        .as("any other sequence error is one").isEqualTo(FilterReply.NEUTRAL);
    assertThat(console.getFilterChainDecision(error(context, RetriedAppendErrors.LOGGER, new IllegalStateException(RETRIED))))
        .isEqualTo(FilterReply.NEUTRAL);
    assertThat(console.getFilterChainDecision(error(context, "kafka.server.KafkaApis", new OutOfOrderSequenceException(RETRIED))))
        .isEqualTo(FilterReply.NEUTRAL);
    assertThat(console.getFilterChainDecision(error(context, RetriedAppendErrors.LOGGER, null))).isEqualTo(FilterReply.NEUTRAL);
    context.stop();
  }
}
