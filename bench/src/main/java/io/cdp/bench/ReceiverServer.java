package io.cdp.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * A webhook receiver in the bench process (the JDK's HTTP server on loopback): answers every
 * delivery 204 at once and hands each one's arrival to a {@link Arrivals} callback with the
 * delivery's {@code occurredAt} (the transition's time, which the bench set when it wrote it).
 */
final class ReceiverServer implements AutoCloseable {

  /** What the receiver reports per delivery; {@code arrivedNanos} is {@link System#nanoTime()}. */
  interface Arrivals {
    void arrived(long arrivedNanos, Instant occurredAt);
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService threads;
  private final LongAdder unreadable = new LongAdder();

  private ReceiverServer(HttpServer server, ExecutorService threads) {
    this.server = server;
    this.threads = threads;
  }

  /** What the receiver reports per delivery when the caller reads the delivery itself. */
  interface Deliveries {
    /** {@code delivery} is the request's JSON body; {@code arrivedNanos} as in {@link Arrivals}. */
    void arrived(long arrivedNanos, JsonNode delivery);
  }

  /** Starts a receiver on a free loopback port that handles {@code threads} requests at once. */
  static ReceiverServer start(int threads, Arrivals arrivals) throws IOException {
    return start(
        threads,
        (Deliveries)
            (arrived, delivery) -> {
              JsonNode occurredAt = delivery.path("occurredAt");
              if (occurredAt.isTextual()) {
                arrivals.arrived(arrived, Instant.parse(occurredAt.asText()));
              }
            });
  }

  /** As {@link #start(int, Arrivals)}, handing over every delivery's body. */
  static ReceiverServer start(int threads, Deliveries deliveries) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    ReceiverServer receiver = new ReceiverServer(server, pool);
    server.createContext(
        "/",
        exchange -> {
          long arrived = System.nanoTime();
          byte[] body = exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
          JsonNode delivery = JSON.readTree(body);
          if (delivery.path("occurredAt").isTextual()) {
            deliveries.arrived(arrived, delivery);
          } else {
            receiver.unreadable.increment();
          }
        });
    server.setExecutor(pool);
    server.start();
    return receiver;
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** Requests without an {@code occurredAt}: none, if every request was a delivery. */
  long unreadable() {
    return unreadable.sum();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
