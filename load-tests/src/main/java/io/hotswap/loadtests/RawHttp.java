package io.hotswap.loadtests;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection with the least work per request: the load generator shares
 * the machine's two cores with the platform, so every microsecond it spends parsing is taken from
 * what it measures (the JDK's HttpClient costs several times more per request). Reads
 * {@code Content-Length} and chunked bodies; reconnects when the server closes.
 */
final class RawHttp implements AutoCloseable {

  /** A response: status, {@code ETag} (or null) and body. */
  record Response(int status, String etag, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final String host;
  private final int port;
  private final byte[] fixedHeaders;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  /** {@code authorization}: the whole header value ({@code Bearer …}). */
  RawHttp(String host, int port, String authorization) {
    this.host = host;
    this.port = port;
    this.fixedHeaders = ("Host: " + host + ":" + port + "\r\nAuthorization: " + authorization
        + "\r\nAccept: application/json\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * One request's bytes: the request line, {@code fixedHeaders} (CRLF-terminated lines),
   * {@code extraHeaders} (the same, or null) and, with a JSON body (or null), its type and length.
   */
  static byte[] request(String method, String path, byte[] fixedHeaders, String extraHeaders, String jsonBody) {
    StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
    byte[] body = jsonBody == null ? new byte[0] : jsonBody.getBytes(StandardCharsets.UTF_8);
    String rest = (extraHeaders == null ? "" : extraHeaders)
        + (jsonBody == null ? "\r\n" : "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n");
    byte[] line = head.toString().getBytes(StandardCharsets.US_ASCII);
    byte[] tail = rest.getBytes(StandardCharsets.US_ASCII);
    return java.nio.ByteBuffer.allocate(line.length + fixedHeaders.length + tail.length + body.length)
        .put(line).put(fixedHeaders).put(tail).put(body).array();
  }

  Response get(String path) throws IOException {
    return send("GET", path, null, null);
  }

  Response send(String method, String path, String extraHeaders, String jsonBody) throws IOException {
    if (socket == null) {
      connect();
    }
    try {
      return exchange(method, path, extraHeaders, jsonBody);
    } catch (IOException first) {
      // the server closed an idle keep-alive connection: one fresh try
      close();
      connect();
      return exchange(method, path, extraHeaders, jsonBody);
    }
  }

  private void connect() throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(host, port), 5_000);
    socket.setSoTimeout(60_000);
    in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    out = new BufferedOutputStream(socket.getOutputStream(), 8 * 1024);
  }

  private Response exchange(String method, String path, String extraHeaders, String jsonBody) throws IOException {
    out.write(request(method, path, fixedHeaders, extraHeaders, jsonBody));
    out.flush();

    String status = line();
    if (status.length() < 12 || !status.startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP status line: " + status);
    }
    int code = Integer.parseInt(status.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    boolean closeAfter = false;
    String etag = null;
    for (String h = line(); !h.isEmpty(); h = line()) {
      int colon = h.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = h.substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> length = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "connection" -> closeAfter = value.equalsIgnoreCase("close");
        case "etag" -> etag = value;
        default -> { }
      }
    }
    byte[] content;
    if (method.equals("HEAD") || code == 204 || code == 304) {
      content = new byte[0];
    } else if (chunked) {
      content = chunked();
    } else if (length >= 0) {
      content = in.readNBytes((int) length);
      if (content.length < length) {
        throw new EOFException("body cut short");
      }
    } else {
      content = in.readAllBytes();
      closeAfter = true;
    }
    if (closeAfter) {
      close();
    }
    return new Response(code, etag, content);
  }

  private byte[] chunked() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = line();
      int semi = sizeLine.indexOf(';');
      int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
      if (size == 0) {
        while (!line().isEmpty()) {
          // trailers: none expected, skipped
        }
        return body.toByteArray();
      }
      body.write(in.readNBytes(size));
      line();
    }
  }

  private String line() throws IOException {
    StringBuilder s = new StringBuilder(64);
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        int n = s.length();
        if (n > 0 && s.charAt(n - 1) == '\r') {
          s.setLength(n - 1);
        }
        return s.toString();
      }
      s.append((char) c);
    }
    throw new EOFException("connection closed by the server");
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
      socket = null;
    }
  }
}
