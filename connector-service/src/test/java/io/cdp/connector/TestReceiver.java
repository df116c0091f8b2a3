package io.cdp.connector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on loopback (the JDK's) that records every request with the time it arrived
 * and answers 204, or 500 for the first requests to a path told to fail ({@link #failFirst}).
 */
final class TestReceiver implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request as it arrived; {@code arrivedNanos} is {@link System#nanoTime()} on arrival. */
  record Request(
      String method,
      String path,
      long arrivedNanos,
      String deliveryId,
      String signature,
      byte[] body,
      int status) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }
  }

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();

  private TestReceiver(HttpServer server) {
    this.server = server;
  }

  static TestReceiver start() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    TestReceiver receiver = new TestReceiver(server);
    server.createContext(
        "/",
        exchange -> {
          long arrived = System.nanoTime();
          byte[] body = exchange.getRequestBody().readAllBytes();
          String path = exchange.getRequestURI().getRawPath();
          AtomicInteger left = receiver.failuresLeft.get(path);
          int status = left != null && left.getAndDecrement() > 0 ? 500 : 204;
          receiver.requests.add(
              new Request(
                  exchange.getRequestMethod(),
                  path,
                  arrived,
                  exchange.getRequestHeaders().getFirst("X-CDP-Delivery-Id"),
                  exchange.getRequestHeaders().getFirst("X-CDP-Signature"),
                  body,
                  status));
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
    return receiver;
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** The next {@code count} requests to {@code path} are answered 500, later ones 204. */
  void failFirst(String path, int count) {
    failuresLeft.put(path, new AtomicInteger(count));
  }

  /** The requests whose path starts with {@code prefix}, in the order they arrived. */
  List<Request> to(String prefix) {
    return requests.stream().filter(r -> r.path().startsWith(prefix)).toList();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
