package io.cdp.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpConnectionTest {

  private HttpServer server;
  private final List<String> received = new ArrayList<>();

  @BeforeEach
  void startServer() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          synchronized (received) {
            received.add(exchange.getRequestURI().getPath() + " " + body);
          }
          byte[] answer = "{\"success\":true}".getBytes(StandardCharsets.UTF_8);
          boolean chunked = exchange.getRequestURI().getPath().equals("/chunked");
          int status = exchange.getRequestURI().getPath().equals("/missing") ? 404 : 200;
          exchange.sendResponseHeaders(status, chunked ? 0 : answer.length);
          exchange.getResponseBody().write(answer);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  @Test
  void sendsRequestsOneAfterAnotherOnOneConnectionAndReadsEachStatus() throws Exception {
    InetSocketAddress address = server.getAddress();
    String host = "127.0.0.1:" + address.getPort();
    byte[] body = "{\"n\":1}".getBytes(StandardCharsets.UTF_8);
    try (HttpConnection connection = new HttpConnection(address, Duration.ofSeconds(10))) {
      assertEquals(
          200, connection.send(HttpConnection.postHead("/fixed", host, body.length), body));
      assertEquals(
          200, connection.send(HttpConnection.postHead("/chunked", host, body.length), body));
      assertEquals(
          404, connection.send(HttpConnection.postHead("/missing", host, body.length), body));
      assertEquals(
          200, connection.send(HttpConnection.postHead("/fixed", host, body.length), body));
      assertEquals(200, connection.send(HttpConnection.getHead("/fixed", host), new byte[0]));
      assertEquals(404, connection.send(HttpConnection.getHead("/missing", host), new byte[0]));
    }
    assertEquals(
        List.of(
            "/fixed {\"n\":1}",
            "/chunked {\"n\":1}",
            "/missing {\"n\":1}",
            "/fixed {\"n\":1}",
            "/fixed ",
            "/missing "),
        received);
  }
}
