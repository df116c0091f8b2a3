package io.cdp.bench;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * One HTTP/1.1 keep-alive connection that sends prepared requests and reads the status of each
 * answer. A load generator shares the machine with what it measures, so it does the least work it
 * can: request heads are built once, and an answer is read only as far as needed (status,
 * Content-Length or chunked body).
 */
final class HttpConnection implements Closeable {

  private final InetSocketAddress address;
  private final Duration timeout;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  HttpConnection(InetSocketAddress address, Duration timeout) {
    this.address = address;
    this.timeout = timeout;
  }

  /** The head of a POST with a body of {@code length} bytes and the given extra header lines. */
  /** The collector's authorization header for a source: its write key as the Basic user name. */
  static String writeKeyAuthorization(String writeKey) {
    return "Authorization: Basic "
        + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
  }

  static byte[] postHead(String path, String host, int length, String... headers) {
    return head("POST " + path, host, headers, "Content-Length: " + length + "\r\n");
  }

  /** The head of a GET with the given extra header lines; sent with an empty body. */
  static byte[] getHead(String path, String host, String... headers) {
    return head("GET " + path, host, headers, "");
  }

  private static byte[] head(String request, String host, String[] headers, String last) {
    StringBuilder head = new StringBuilder();
    head.append(request).append(" HTTP/1.1\r\n");
    head.append("Host: ").append(host).append("\r\n");
    for (String header : headers) {
      head.append(header).append("\r\n");
    }
    head.append(last).append("\r\n");
    return head.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Sends {@code head} and {@code body} and returns the answer's status code, opening the
   * connection first if needed. On an I/O error the connection is closed (the next call reopens it)
   * and the error thrown.
   */
  int send(byte[] head, byte[] body) throws IOException {
    try {
      if (socket == null) {
        open();
      }
      out.write(head);
      out.write(body);
      out.flush();
      return readResponse();
    } catch (IOException e) {
      close();
      throw e;
    }
  }

  private void open() throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.setSoTimeout((int) timeout.toMillis());
    socket.connect(address, (int) timeout.toMillis());
    in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    out = socket.getOutputStream();
  }

  private int readResponse() throws IOException {
    String statusLine = readLine();
    int status = Integer.parseInt(statusLine.substring(9, 12)); // "HTTP/1.1 200 OK"
    long length = 0;
    boolean chunked = false;
    boolean closeAfter = false;
    for (String line = readLine(); !line.isEmpty(); line = readLine()) {
      int colon = line.indexOf(':');
      String name = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (name.equalsIgnoreCase("Content-Length")) {
        length = Long.parseLong(value);
      } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
        chunked = value.equalsIgnoreCase("chunked");
      } else if (name.equalsIgnoreCase("Connection")) {
        closeAfter = value.equalsIgnoreCase("close");
      }
    }
    if (chunked) {
      for (long size = chunkSize(); size > 0; size = chunkSize()) {
        skip(size);
        readLine();
      }
      readLine(); // the empty line after the last chunk (no trailers are sent)
    } else {
      skip(length);
    }
    if (closeAfter) {
      close();
    }
    return status;
  }

  private long chunkSize() throws IOException {
    String line = readLine();
    int extension = line.indexOf(';');
    return Long.parseLong(extension < 0 ? line : line.substring(0, extension), 16);
  }

  private void skip(long bytes) throws IOException {
    for (long left = bytes; left > 0; left--) {
      if (in.read() < 0) {
        throw new EOFException("Connection closed in a response body");
      }
    }
  }

  private String readLine() throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new EOFException("Connection closed in a response head");
      }
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing a broken connection: nothing left to do
      }
      socket = null;
    }
  }
}
