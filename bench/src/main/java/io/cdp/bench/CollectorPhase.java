package io.cdp.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.bench.SegmentPayloads.BatchTemplate;
import io.cdp.contracts.Topics;
import io.cdp.localstack.ServiceProcess;
import io.cdp.localstack.SuiteService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  /** Both phases warm up as long, so they are compared at the same point of the broker's run. */
  @Override
  public Duration warmup(BenchSettings settings) {
    return settings.collectorWarmup();
  }

  @Override
  public List<PhaseResult> run(BenchContext context) throws Exception {
    BenchSettings settings = context.settings();
    try (ServiceProcess collector = context.startService(SuiteService.COLLECTOR)) {
      String writeKey =
          JSON.readTree(context.adminPost(collector, "/v1/sources", "{\"name\":\"bench\"}"))
              .get("writeKey")
              .asText();
      long before = context.endOffsets(Topics.EVENTS_RAW);

      Load load = new Load(settings.batchEvents());
      LoadWindow window = LoadWindow.startingNow(warmup(settings), settings.measured());
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
      details.put("latency", "of a request: sent to answered");
      details.putAll(load.latency.percentiles());
      details.put("answers", load.answers.all());
      details.put("acknowledged_events", acknowledged);
      details.put("topic_growth", grown);
      details.put("max_request_bytes", requestBytes);
      details.put("record_bytes", Math.round(context.recentRecordBytes(Topics.EVENTS_RAW)));
      details.put("processes", usage.result());
      details.put("load_average_1m", Results.loadAverage());
      return List.of(
          new PhaseResult(
              NAME,
              settings.connections()
                  + " keep-alive connections, "
                  + settings.batchEvents()
                  + " events per request, no think time",
              settings.connections(),
              warmup(settings).toSeconds(),
              seconds,
              load.measuredEvents.sum(),
              details,
              Map.of()));
    }
  }

  /** What the clients count, shared by all of them. */
  private static final class Load {

    private final int batchEvents;
    private final AtomicLong batches = new AtomicLong();
    private final LongAdder acknowledgedEvents = new LongAdder();
    private final LongAdder measuredEvents = new LongAdder();
    private final LongAdder measuredRequests = new LongAdder();
    private final Answers answers = new Answers();
    private final LatencyHistogram latency = new LatencyHistogram();

    Load(int batchEvents) {
      this.batchEvents = batchEvents;
    }

    /** One client: sends batches of new events over one connection until the window ends. */
    void offer(
        ServiceProcess collector, String writeKey, BatchTemplate template, LoadWindow window) {
      byte[] body = template.newBody();
      byte[] head =
          HttpConnection.postHead(
              "/v1/batch",
              "127.0.0.1:" + collector.port(),
              body.length,
              HttpConnection.writeKeyAuthorization(writeKey),
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
            answers.count(e.getClass().getSimpleName());
            pause();
            continue;
          }
          long end = System.nanoTime();
          answers.count(Integer.toString(status));
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
