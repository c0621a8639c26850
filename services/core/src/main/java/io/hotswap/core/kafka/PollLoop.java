package io.hotswap.core.kafka;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plain consumer polled on its own daemon thread until {@link #stop}: each batch goes to a
 * handler; the consumer is closed on the same thread when the loop ends. A failure of the handler
 * ends the loop loudly (logged at ERROR with what stops working), a stop ends it quietly.
 */
public final class PollLoop<K, V> {

  private static final Logger LOG = LoggerFactory.getLogger(PollLoop.class);

  private final KafkaConsumer<K, V> consumer;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;

  private PollLoop(String name, KafkaConsumer<K, V> consumer, Consumer<ConsumerRecords<K, V>> handler, String whenStopped) {
    this.consumer = consumer;
    this.thread = Thread.ofPlatform().name(name).daemon().unstarted(() -> run(handler, whenStopped));
  }

  /** Starts polling {@code consumer} (already subscribed or assigned) on a thread named {@code name}. */
  public static <K, V> PollLoop<K, V> start(String name, KafkaConsumer<K, V> consumer, Consumer<ConsumerRecords<K, V>> handler,
                                            String whenStopped) {
    PollLoop<K, V> loop = new PollLoop<>(name, consumer, handler, whenStopped);
    loop.thread.start();
    return loop;
  }

  private void run(Consumer<ConsumerRecords<K, V>> handler, String whenStopped) {
    try {
      while (running.get()) {
        handler.accept(consumer.poll(Duration.ofMillis(500)));
      }
    } catch (WakeupException | InterruptException e) {
      if (running.get()) {
        LOG.error(whenStopped, e);
      }
    } catch (RuntimeException e) {
      LOG.error(whenStopped, e);
    } finally {
      consumer.close();
    }
  }

  /** Ends the loop: wakes the consumer (and interrupts the handler, when asked), waits up to 5 s for the thread. */
  public void stop(boolean interrupt) {
    running.set(false);
    consumer.wakeup();
    if (interrupt) {
      thread.interrupt();
    }
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
