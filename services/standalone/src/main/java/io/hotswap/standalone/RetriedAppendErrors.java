package io.hotswap.standalone;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Keeps one broker complaint that is not an error off the console (it still goes to kafka.log).
 *
 * <p>With transactions v2, the first records a producer sends to a partition in a new transaction
 * can reach the partition leader before the partition has been added to the transaction; the
 * leader rejects them with "Expected sequence 0 for transactions v2 idempotent producer with no
 * existing state", the producer retries them and they are written once (KAFKA-18202). The broker
 * still logs each rejection at ERROR, a few times an hour under load, which a user watching
 * {@code ./hotswap up} would read as data loss.
 *
 * <p>{@link KafkaBroker} adds it to the console's error appender when it starts, rather than
 * logback.xml naming it: s3proxy's isolated Logback reads the same file when
 * {@code logback.configurationFile} points at it, and cannot see this class.
 */
public final class RetriedAppendErrors extends Filter<ILoggingEvent> {

  static final String LOGGER = "kafka.server.ReplicaManager";
  static final String RETRIED = "for transactions v2 idempotent producer with no existing state";

  /** Adds the filter to appender {@code CONSOLE_ERRORS} of logger {@code kafka}, when logging is Logback configured by logback.xml. */
  static void install(org.slf4j.ILoggerFactory factory) {
    if (factory instanceof ch.qos.logback.classic.LoggerContext context
        && context.getLogger("kafka").getAppender("CONSOLE_ERRORS") instanceof ch.qos.logback.core.Appender<ILoggingEvent> console
        && console.getCopyOfAttachedFiltersList().stream().noneMatch(RetriedAppendErrors.class::isInstance)) {
      RetriedAppendErrors filter = new RetriedAppendErrors();
      filter.start();
      console.addFilter(filter);
    }
  }

  @Override
  public FilterReply decide(ILoggingEvent event) {
    IThrowableProxy thrown = event.getThrowableProxy();
    boolean retried = LOGGER.equals(event.getLoggerName()) && thrown != null
        && thrown.getClassName().equals(org.apache.kafka.common.errors.OutOfOrderSequenceException.class.getName())
        && thrown.getMessage() != null && thrown.getMessage().contains(RETRIED);
    return retried ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
