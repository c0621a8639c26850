package io.hotswap.loadtests;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

/**
 * The open loop of {@link OpenLoop} on one thread and one selector instead of a thread per
 * connection. At 10,000 reads/s the thread-per-connection loop took ~0.6 of the machine's two cores
 * (a timed wake-up, a blocking write and a blocking read per request on each of ~100 threads), CPU
 * the platform it measures then lacks; for writes its ~500 threads (one per connection, enough for
 * a quarter-second stall at 1,000/s) cost little while answers came on time but up to 0.55 of a core
 * for ~13 s after a stall, as the stalled answers woke them all at once — seconds in which the
 * platform was still catching up. Here one thread sends every request when it is due on whichever
 * connection is free and reads the answers that are ready, many per wake-up.
 *
 * <p>The schedule and the figures are {@link OpenLoop}'s: request {@code i} is due at
 * {@code start + i / rate}, its latency runs from that due time to the end of its answer, a request
 * that finds every connection busy waits for one and its wait counts. Between due times the thread
 * waits in the selector (millisecond timeouts) or, when the next request is less than a millisecond
 * away, parks for at most half the time between two requests, within {@value #SHORT_WAIT_MICROS} µs
 * and a millisecond, so an answer is read at most that late (which counts against the platform,
 * never for it): at 10,000 reads/s 200 µs, at 1,000 writes/s 500 µs — every wake-up costs the
 * generator a little, and at 1,000 writes/s 200 µs parks took it ~0.08 of a core. Keep-alive connections, one request in flight
 * on each (as a browser or a client library without pipelining), {@code Content-Length} and chunked
 * answers; a connection the server closes is opened again (a request in flight on it counts as an
 * error). A {@link ReadBack} reads a write back on the same connection right after its answer
 * (read-your-writes), outside the write's latency.
 */
final class SelectorLoop {

  private static final long SHORT_WAIT_MICROS = 200;

  private SelectorLoop() {}

  /** A request: method, path, extra header lines (each ending in CRLF, or null) and a JSON body (or null). */
  record Call(String method, String path, String extraHeaders, String jsonBody) {
    static Call get(String path) {
      return new Call("GET", path, null, null);
    }
  }

  /** Reads a measured, successful request back on its connection right after its answer. */
  interface ReadBack {
    /** The path to {@code GET} after request {@code seq}'s 2xx answer, or null for none. */
    String path(long seq);

    /** That read's answer: status (−1: the connection failed) and what followed the headers. */
    void answered(long seq, int status, String body);
  }

  /** One connection and the request in flight on it (seq −1: none). */
  private static final class Connection {
    final SocketChannel channel;
    final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    long seq = -1;
    long due;
    /** The request in flight is a {@link ReadBack}'s read, not a measured one. */
    boolean readingBack;

    Connection(SocketChannel channel) {
      this.channel = channel;
    }
  }

  /**
   * Offers {@code GET path.apply(i)} at {@code rate} per second for {@code warmupSeconds} then
   * {@code measureSeconds} over {@code connections} connections, then waits at most
   * {@code drainSeconds} for the answers outstanding.
   */
  static OpenLoop.Result run(String host, int port, String authorization, int connections, double rate, int warmupSeconds,
                             int measureSeconds, int drainSeconds, LongFunction<String> path) throws IOException {
    return run(host, port, authorization, connections, rate, warmupSeconds, measureSeconds, drainSeconds,
        seq -> Call.get(path.apply(seq)), null);
  }

  /**
   * Offers {@code call.apply(i)} as {@link #run(String, int, String, int, double, int, int, int, LongFunction)}
   * does, and after each measured 2xx answer the {@code readBack}'s read of it, if any (null: none).
   */
  static OpenLoop.Result run(String host, int port, String authorization, int connections, double rate, int warmupSeconds,
                             int measureSeconds, int drainSeconds, LongFunction<Call> call, ReadBack readBack) throws IOException {
    OpenLoop.Phase warm = new OpenLoop.Phase();
    OpenLoop.Phase measured = new OpenLoop.Phase();
    InetSocketAddress address = new InetSocketAddress(host, port);
    byte[] headers = ("Host: " + host + ":" + port + "\r\nAuthorization: " + authorization + "\r\nAccept: application/json\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    try (Selector selector = Selector.open()) {
      ArrayDeque<Connection> idle = new ArrayDeque<>();
      for (int c = 0; c < connections; c++) {
        idle.add(open(selector, address));
      }
      OpenLoop.Schedule schedule = OpenLoop.Schedule.from(System.nanoTime(), rate, warmupSeconds, measureSeconds, warm, measured);
      long periodNanos = schedule.periodNanos();
      long start = schedule.start();
      long warmEnd = schedule.warmEnd();
      long total = schedule.total();
      long drainDeadline = schedule.end() + TimeUnit.SECONDS.toNanos(drainSeconds);
      long shortWait = Math.clamp(periodNanos / 2, TimeUnit.MICROSECONDS.toNanos(SHORT_WAIT_MICROS), TimeUnit.MILLISECONDS.toNanos(1));
      long next = 0;
      int inFlight = 0;
      while (next < total || inFlight > 0) {
        long now = System.nanoTime();
        if (now > drainDeadline) {
          break;
        }
        while (next < total && start + next * periodNanos <= now && !idle.isEmpty()) {
          Connection c = idle.poll();
          long due = start + next * periodNanos;
          try {
            send(c, call.apply(next), headers, next, due);
            inFlight++;
          } catch (IOException e) {
            (due < warmEnd ? warm : measured).record(due, System.nanoTime(), "io-error", false);
            idle.add(reopen(selector, address, c));
          }
          next++;
        }
        long wait = next < total && !idle.isEmpty() ? start + next * periodNanos - System.nanoTime() : TimeUnit.MILLISECONDS.toNanos(100);
        int ready;
        if (wait >= 1_000_000) {
          ready = selector.select(wait / 1_000_000);
        } else {
          ready = selector.selectNow();
          if (ready == 0 && wait > 0) {
            LockSupport.parkNanos(Math.min(wait, shortWait));
            ready = selector.selectNow();
          }
        }
        if (ready == 0) {
          continue;
        }
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
          SelectionKey key = keys.next();
          keys.remove();
          Connection c = (Connection) key.attachment();
          int status;
          try {
            status = receive(c);
          } catch (IOException e) {
            status = -1;
          }
          if (status == 0) {
            continue; // the answer is not complete yet
          }
          long done = System.nanoTime();
          if (c.seq < 0) {
            // nothing in flight: the server closed an idle keep-alive connection (or sent what no one asked for)
            idle.remove(c);
            idle.add(reopen(selector, address, c));
            continue;
          }
          boolean close = status < 0 || Answer.closes(c.in.array(), c.in.position());
          if (c.readingBack) {
            readBack.answered(c.seq, status, status < 0 ? "" : Answer.body(c.in.array(), c.in.position()));
            c.readingBack = false;
          } else {
            OpenLoop.Phase phase = c.due < warmEnd ? warm : measured;
            phase.record(c.due, done, status < 0 ? "io-error" : Integer.toString(status), status / 100 == 2);
            String back = phase == measured && status / 100 == 2 && !close && readBack != null ? readBack.path(c.seq) : null;
            if (back != null) {
              c.in.clear();
              try {
                send(c, Call.get(back), headers, c.seq, c.due);
                c.readingBack = true;
                continue; // still in flight: the connection is free once the read is answered
              } catch (IOException e) {
                readBack.answered(c.seq, -1, "");
                close = true;
              }
            }
          }
          inFlight--;
          c.seq = -1;
          c.in.clear();
          idle.add(close ? reopen(selector, address, c) : c);
        }
      }
      for (SelectionKey key : selector.keys()) {
        key.channel().close();
      }
    }
    return new OpenLoop.Result(rate, warm, measured);
  }

  private static Connection open(Selector selector, InetSocketAddress address) throws IOException {
    SocketChannel channel = SocketChannel.open(address);
    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
    channel.configureBlocking(false);
    Connection c = new Connection(channel);
    channel.register(selector, SelectionKey.OP_READ, c);
    return c;
  }

  private static Connection reopen(Selector selector, InetSocketAddress address, Connection old) throws IOException {
    old.channel.close();
    return open(selector, address);
  }

  private static void send(Connection c, Call call, byte[] headers, long seq, long due) throws IOException {
    ByteBuffer out = ByteBuffer.wrap(RawHttp.request(call.method(), call.path(), headers, call.extraHeaders(), call.jsonBody()));
    c.seq = seq;
    c.due = due;
    // a request is a few hundred bytes and the socket's send buffer empty (one request in flight): one write takes it
    while (out.hasRemaining()) {
      if (c.channel.write(out) == 0) {
        Thread.onSpinWait();
      }
    }
  }

  /** Reads what is there: the answer's status once it is complete, 0 while it is not, −1 at the end of the stream. */
  private static int receive(Connection c) throws IOException {
    int n = c.channel.read(c.in);
    if (n < 0) {
      return -1;
    }
    if (!c.in.hasRemaining()) {
      throw new IOException("an answer larger than " + c.in.capacity() + " bytes");
    }
    return Answer.complete(c.in.array(), c.in.position());
  }

  /** HTTP/1.1 answer framing over a byte array: just enough to know where an answer ends. */
  static final class Answer {
    private Answer() {}

    /** The status once {@code bytes[0, length)} hold a whole answer, else 0. */
    static int complete(byte[] bytes, int length) {
      int headerEnd = indexOf(bytes, 0, length, "\r\n\r\n");
      if (headerEnd < 0) {
        return 0;
      }
      int status = (bytes[9] - '0') * 100 + (bytes[10] - '0') * 10 + (bytes[11] - '0');
      int bodyStart = headerEnd + 4;
      String contentLength = header(bytes, headerEnd, "content-length");
      if (!contentLength.isEmpty()) {
        return length >= bodyStart + Integer.parseInt(contentLength) ? status : 0;
      }
      if (header(bytes, headerEnd, "transfer-encoding").toLowerCase(java.util.Locale.ROOT).contains("chunked")) {
        return chunkedEnd(bytes, bodyStart, length) ? status : 0;
      }
      return status == 204 || status == 304 ? status : 0;
    }

    /** What follows the head of the whole answer in {@code bytes[0, length)} (chunk sizes included when chunked). */
    static String body(byte[] bytes, int length) {
      int headerEnd = indexOf(bytes, 0, length, "\r\n\r\n");
      return headerEnd < 0 ? "" : new String(bytes, headerEnd + 4, length - headerEnd - 4, StandardCharsets.UTF_8);
    }

    /** Whether the whole answer in {@code bytes[0, length)} says {@code Connection: close}. */
    static boolean closes(byte[] bytes, int length) {
      int headerEnd = indexOf(bytes, 0, length, "\r\n\r\n");
      return headerEnd >= 0 && header(bytes, headerEnd, "connection").equalsIgnoreCase("close");
    }

    /** Walks the chunks: true when the last (size 0) chunk and the blank line after it are in. */
    private static boolean chunkedEnd(byte[] bytes, int from, int length) {
      int at = from;
      while (true) {
        int eol = indexOf(bytes, at, length, "\r\n");
        if (eol < 0) {
          return false;
        }
        String sizeField = new String(bytes, at, eol - at, StandardCharsets.US_ASCII);
        int semi = sizeField.indexOf(';');
        int size = Integer.parseInt((semi < 0 ? sizeField : sizeField.substring(0, semi)).trim(), 16);
        if (size == 0) {
          return indexOf(bytes, eol + 2, length, "\r\n") >= 0;
        }
        at = eol + 2 + size + 2;
        if (at > length) {
          return false;
        }
      }
    }

    /** The value of header {@code name} (lower case) in the head ending at {@code headerEnd}, "" when absent. */
    static String header(byte[] bytes, int headerEnd, String name) {
      int at = indexOf(bytes, 0, headerEnd, "\r\n") + 2;
      while (at > 1 && at < headerEnd) {
        int eol = indexOf(bytes, at, headerEnd + 2, "\r\n");
        int colon = indexOf(bytes, at, eol, ":");
        if (colon > 0 && colon - at == name.length()
            && new String(bytes, at, colon - at, StandardCharsets.US_ASCII).equalsIgnoreCase(name)) {
          return new String(bytes, colon + 1, eol - colon - 1, StandardCharsets.US_ASCII).trim();
        }
        at = eol + 2;
      }
      return "";
    }

    private static int indexOf(byte[] bytes, int from, int to, String what) {
      outer:
      for (int i = from; i <= to - what.length(); i++) {
        for (int j = 0; j < what.length(); j++) {
          if (bytes[i + j] != what.charAt(j)) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }
  }
}
