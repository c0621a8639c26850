package io.hotswap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code tail} when a gateway ends its stream early (its own maximum, a restart): the command
 * connects again and goes on, as the README says. A stand-in for the gateway's watch endpoint ends
 * each stream after one change; the real endpoint is exercised against the platform in CliIT.
 */
class TailReconnectTest {

  @Test
  void shouldConnectAgainWhenTheGatewayEndsTheStreamAndGoOnCounting() throws Exception {
    AtomicInteger streams = new AtomicInteger();
    List<String> queries = new CopyOnWriteArrayList<>();
    HttpServer gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    gateway.createContext("/api/v1/watch", exchange -> {
      queries.add(exchange.getRequestURI().getQuery());
      int n = streams.incrementAndGet();
      exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(("event:ready\ndata:{}\n\n"
            + "id:live-0-" + n + "\nevent:change\ndata:{\"tenantId\":\"acme\",\"environment\":\"qa\",\"key\":\"k" + n
            + "\",\"type\":\"Number\",\"value\":" + n + ",\"version\":" + n + ",\"deleted\":false,\"at\":\"2026-12-02T10:00:0" + n + "Z\"}\n\n")
            .getBytes(StandardCharsets.UTF_8));
      } // the stream ends here, as a gateway's does at its maximum
    });
    gateway.start();
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int exit = HotSwapCli.run(new String[] {"tail", "-t", "acme", "-n", "2", "--timeout", "PT30S"},
          Map.of("HOME", System.getProperty("java.io.tmpdir"), "HOTSWAP_URL", "http://127.0.0.1:" + gateway.getAddress().getPort(),
              "HOTSWAP_TOKEN", "t"),
          new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

      assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("acme qa k1 = 1  (Number, v1)", "acme qa k2 = 2  (Number, v2)");
      assertThat(streams.get()).as("a second stream after the first ended").isEqualTo(2);
      assertThat(queries).allSatisfy(q -> assertThat(q).contains("tenantId=acme").contains("timeout=PT"));
      assertThat(err.toString(StandardCharsets.UTF_8)).as("announced once, not per stream").containsOnlyOnce("following changes of acme");
    } finally {
      gateway.stop(0);
    }
  }
}
