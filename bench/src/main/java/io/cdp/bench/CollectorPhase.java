package io.cdp.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.bench.SegmentPayloads.BatchTemplate;
import io.cdp.contracts.Topics;
import io.cdp.localstack.ServiceProcess;
import io.cdp.localstack.SuiteService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The collector's sustained ingestion: collector-service runs as its own process against the stack,
 * and concurrent HTTP/1.1 keep-alive clients POST {@code /v1/batch} requests of new events
 * (distinct messageIds) for the warm-up and the measured window. Only 200 answers count: the
 * collector gives them once Kafka acknowledged every event of the request. At the end the topic
 * must have grown by at least every acknowledged event.
 */
final class CollectorPhase implements Phase {

  static final String NAME = "collector";

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PhaseResult run(BenchContext context) throws Exception {
    BenchSettings settings = context.settings();
    try (ServiceProcess collector = context.startService(SuiteService.COLLECTOR)) {
      String writeKey = createSource(collector, context.adminToken());
      long before = context.endOffsets(Topics.EVENTS_RAW);

      Load load = new Load(settings.batchEvents());
      LoadWindow window = LoadWindow.startingNow(settings.warmup(), settings.measured());
      ProcessUsage usage = ProcessUsage.during(window, context.processes(collector));
      List<Thread> clients = new ArrayList<>();
      int requestBytes = 0;
      for (int i = 0; i < settings.connections(); i++) {
        BatchTemplate template = new SegmentPayloads(i, 0x636f6c6c).batch(settings.batchEvents());
        requestBytes = Math.max(requestBytes, template.size());
        Thread client =
            new Thread(() -> load.offer(collector, writeKey, template, window), "client-" + i);
        client.start();
        clients.add(client);
      }
      for (Thread client : clients) {
        client.join();
      }
      context.saveMetrics(collector);

      long acknowledged = load.acknowledgedEvents.sum();
      long grown = context.endOffsets(Topics.EVENTS_RAW) - before;
      if (grown < acknowledged) {
        throw new IllegalStateException(
            "cdp.events.raw grew by "
                + grown
                + " records, fewer than the "
                + acknowledged
                + " events the collector acknowledged");
      }

      double seconds = window.measuredSeconds();
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("events_per_request", settings.batchEvents());
      details.put("requests_per_s", Math.round(load.measuredRequests.sum() / seconds));
      details.put("request_p50_ms", load.latency.percentileMillis(50));
      details.put("request_p99_ms", load.latency.percentileMillis(99));
      details.put("request_max_ms", load.latency.maxMillis());
      details.put("answers", load.answers());
      details.put("acknowledged_events", acknowledged);
      details.put("topic_growth", grown);
      details.put("max_request_bytes", requestBytes);
      details.put("record_bytes", Math.round(context.recentRecordBytes(Topics.EVENTS_RAW)));
      details.put("processes", usage.result());
      return new PhaseResult(
          NAME,
          settings.connections()
              + " keep-alive connections, "
              + settings.batchEvents()
              + " events per request, no think time",
          settings.connections(),
          settings.warmup().toSeconds(),
          seconds,
          load.measuredEvents.sum(),
          details);
    }
  }

  /** Creates the source the load is sent for and returns its write key. */
  private static String createSource(ServiceProcess collector, String adminToken)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(collector.url() + "/v1/sources"))
            .header("Authorization", "Bearer " + adminToken)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"bench\"}"))
            .build();
    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 201) {
      throw new IllegalStateException(
          "Creating a source answered " + response.statusCode() + ": " + response.body());
    }
    return JSON.readTree(response.body()).get("writeKey").asText();
  }

  /** What the clients count, shared by all of them. */
  private static final class Load {

    private final int batchEvents;
    private final AtomicLong batches = new AtomicLong();
    private final LongAdder acknowledgedEvents = new LongAdder();
    private final LongAdder measuredEvents = new LongAdder();
    private final LongAdder measuredRequests = new LongAdder();
    private final Map<String, LongAdder> answers = new ConcurrentHashMap<>();
    private final LatencyHistogram latency = new LatencyHistogram();

    Load(int batchEvents) {
      this.batchEvents = batchEvents;
    }

    /** One client: sends batches of new events over one connection until the window ends. */
    void offer(
        ServiceProcess collector, String writeKey, BatchTemplate template, LoadWindow window) {
      byte[] body = template.newBody();
      String credentials =
          Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
      byte[] head =
          HttpConnection.postHead(
              "/v1/batch",
              "127.0.0.1:" + collector.port(),
              body.length,
              "Authorization: Basic " + credentials,
              "Content-Type: application/json");
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", collector.port());
      try (HttpConnection connection = new HttpConnection(address, Duration.ofSeconds(60))) {
        while (window.running(System.nanoTime())) {
          template.writeIds(body, batches.getAndIncrement());
          long start = System.nanoTime();
          int status;
          try {
            status = connection.send(head, body);
          } catch (IOException e) {
            count(e.getClass().getSimpleName());
            pause();
            continue;
          }
          long end = System.nanoTime();
          count(Integer.toString(status));
          if (status == 200) {
            acknowledgedEvents.add(batchEvents);
            if (window.measuring(end)) {
              measuredEvents.add(batchEvents);
              measuredRequests.increment();
              latency.recordNanos(end - start);
            }
          }
        }
      }
    }

    private void count(String answer) {
      answers.computeIfAbsent(answer, a -> new LongAdder()).increment();
    }

    /** Answers by status code (or I/O error), over the whole phase. */
    Map<String, Long> answers() {
      Map<String, Long> counts = new TreeMap<>();
      answers.forEach((answer, count) -> counts.put(answer, count.sum()));
      return counts;
    }

    /** After a failed connection, so a dead collector is not hammered in a tight loop. */
    private static void pause() {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
