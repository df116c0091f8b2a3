package io.cdp.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.bench.SegmentPayloads.BatchTemplate;
import io.cdp.contracts.Topics;
import io.cdp.localstack.ServiceProcess;
import io.cdp.localstack.SuiteService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The whole suite at once: the six services as their own processes, configured only through their
 * APIs (a source, {@value #ATTRIBUTES} attributes, {@value #AUDIENCES} audiences, {@value
 * #CONNECTORS} webhook connectors to a receiver in this process), fed through the collector's HTTP
 * API.
 *
 * <ol>
 *   <li>Throughput: keep-alive clients POST {@code /v1/batch} requests of Segment events (60%
 *       track, 30% page, 10% identify from a fixed set of visitors, so most are returning), as fast
 *       as the pipeline goes: at most {@value #MAX_LAG} accepted events may be short of the
 *       audience service (the last stage every event reaches: one profile change each). End-to-end
 *       events/s are sustained: the events the audience service committed in the measured window,
 *       over its length. The run then waits until the profile, audience and connector services have
 *       committed every accepted event; the details also give the whole run's rate (every accepted
 *       event over the time from the first request until then).
 *   <li>Latency: each event a new visitor's page view, at a fixed rate, open-loop; the page makes
 *       the visitor join the first audience, and each of the five connectors delivers the event's
 *       messageId (a profile attribute) to the receiver. A delivery's latency runs from the
 *       collector's 200 for its event to its arrival.
 * </ol>
 */
final class PipelinePhase implements Phase {

  static final String NAME = "pipeline";

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final int ATTRIBUTES = 20;
  private static final int AUDIENCES = 50;
  private static final int CONNECTORS = 5;

  /** Accepted events not yet through the audience service, at most. */
  private static final int MAX_LAG = 5_000;

  /** The audience service's consumer group on {@code cdp.profiles.changes} (its properties). */
  private static final String AUDIENCE_GROUP = "audience-service";

  /** Load clients of the throughput run: the pipeline, not HTTP, is the limit. */
  private static final int CLIENTS = 8;

  /** How long the downstream services and the deliveries may take after a run. */
  private static final Duration DRAIN = Duration.ofMinutes(5);

  /** The numbers the attributes count, which the audiences compare. */
  private static final List<String> COUNTERS =
      List.of(
          "bench_pages",
          "bench_views",
          "bench_adds",
          "bench_checkouts",
          "bench_orders",
          "bench_searches",
          "bench_spent",
          "bench_cart_value",
          "bench_identifies",
          "bench_visit_pages");

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<PhaseResult> run(BenchContext context) throws Exception {
    for (String[] group :
        List.of(
            new String[] {"identity-service", Topics.EVENTS_RAW},
            new String[] {"profile-service", Topics.EVENTS_RESOLVED},
            new String[] {"consent-service", Topics.EVENTS_RESOLVED},
            new String[] {"connector-service", Topics.EVENTS_RESOLVED},
            new String[] {"audience-service", Topics.PROFILES_CHANGES},
            new String[] {"connector-service", Topics.AUDIENCES_MEMBERSHIP})) {
      context.skipToEnd(group[0], group[1]); // what earlier phases wrote is not this load
    }
    Map<SuiteService, ServiceProcess> services = new EnumMap<>(SuiteService.class);
    Deliveries deliveries = new Deliveries();
    try (ReceiverServer receiver = ReceiverServer.start(16, deliveries)) {
      for (SuiteService service : SuiteService.all()) {
        // The whole suite on this machine, as ./cdp up runs it
        services.put(
            service, context.startService(service, Map.of(), ServiceProcess.SHARED_MACHINE_JVM));
      }
      String writeKey = configure(context, services, receiver);
      ServiceProcess[] all = services.values().toArray(ServiceProcess[]::new);
      PhaseResult throughput = throughput(context, services, writeKey, all, deliveries);
      int rate =
          context.settings().pipelineRate() > 0
              ? context.settings().pipelineRate()
              : (int) Math.max(10, Math.min(2_000, throughput.eventsPerSecond() / 2 / 10 * 10));
      System.out.printf("  event to delivery at %,d events/s...%n", rate);
      PhaseResult latency =
          latency(context, services.get(SuiteService.COLLECTOR), writeKey, rate, all, deliveries);
      for (ServiceProcess service : all) {
        context.saveMetrics(service);
      }
      return List.of(throughput, latency);
    } finally {
      services.values().forEach(ServiceProcess::close);
    }
  }

  /** Creates the source, attributes, audiences and connectors; answers the write key. */
  private static String configure(
      BenchContext context, Map<SuiteService, ServiceProcess> services, ReceiverServer receiver)
      throws IOException, InterruptedException {
    ServiceProcess profile = services.get(SuiteService.PROFILE);
    for (String attribute : attributes()) {
      context.adminPost(profile, "/v1/attributes", attribute);
    }
    List<String> audienceIds = new ArrayList<>();
    for (String rule : rules()) {
      String body = JSON.writeValueAsString(Map.of("name", "bench " + rule, "rule", rule));
      audienceIds.add(
          JSON.readTree(
                  context.adminPost(services.get(SuiteService.AUDIENCE), "/v1/audiences", body))
              .get("id")
              .asText());
    }
    for (int i = 0; i < CONNECTORS; i++) {
      Map<String, Object> connector = new LinkedHashMap<>();
      connector.put("name", "bench webhook " + i);
      connector.put("type", "webhook");
      connector.put("config", Map.of("url", receiver.url("/hooks/" + i)));
      connector.put("trigger", Map.of("audience", audienceIds.get(0), "on", "joined"));
      connector.put("purposes", List.of("analytics")); // allowed until withdrawn: checked each time
      connector.put(
          "mapping",
          Map.of(
              "message", "profile.attributes.bench_last_message",
              "pages", "profile.attributes.bench_pages"));
      context.adminPost(
          services.get(SuiteService.CONNECTOR),
          "/v1/connectors",
          JSON.writeValueAsString(connector));
    }
    return JSON.readTree(
            context.adminPost(
                services.get(SuiteService.COLLECTOR), "/v1/sources", "{\"name\":\"bench\"}"))
        .get("writeKey")
        .asText();
  }

  /**
   * The {@value #ATTRIBUTES} attribute definitions, over the events {@link SegmentPayloads} makes.
   */
  static List<String> attributes() {
    List<String> definitions = new ArrayList<>();
    String[][] counts = {
      {"bench_pages", "event.type == 'page'", "1"},
      {"bench_views", "event.event == 'Product Viewed'", "1"},
      {"bench_adds", "event.event == 'Product Added'", "1"},
      {"bench_checkouts", "event.event == 'Checkout Started'", "1"},
      {"bench_orders", "event.event == 'Order Completed'", "1"},
      {"bench_searches", "event.event == 'Products Searched'", "1"},
      {"bench_spent", "event.event == 'Order Completed'", "event.properties.price"},
      {"bench_cart_value", "event.event == 'Product Added'", "event.properties.price"},
      {"bench_identifies", "event.type == 'identify'", "1"},
    };
    for (String[] count : counts) {
      definitions.add(rule(count[0], "number", "visitor", count[1], "increment", count[2]));
    }
    definitions.add(
        rule("bench_visit_pages", "number", "visit", "event.type == 'page'", "increment", "1"));
    definitions.add(rule("bench_visit_events", "number", "visit", "true", "increment", "1"));
    definitions.add(
        rule("bench_last_message", "string", "visitor", "true", "set", "event.messageId"));
    definitions.add(
        rule(
            "bench_last_product",
            "string",
            "visitor",
            "event.event == 'Product Viewed'",
            "set",
            "event.properties.name"));
    definitions.add(
        rule(
            "bench_plan",
            "string",
            "visitor",
            "event.type == 'identify'",
            "set",
            "event.traits.plan"));
    definitions.add(
        rule("bench_locale", "string", "visitor", "true", "set_if_empty", "event.context.locale"));
    definitions.add(
        rule(
            "bench_last_order_at",
            "date",
            "visitor",
            "event.event == 'Order Completed'",
            "set",
            "now"));
    definitions.add(
        rule(
            "bench_products",
            "set",
            "visitor",
            "event.event == 'Product Viewed'",
            "add",
            "event.properties.product_id"));
    definitions.add(
        rule(
            "bench_buyer", "badge", "visitor", "event.event == 'Order Completed'", "assign", null));
    definitions.add(
        rule(
            "bench_paths",
            "timeline",
            "visitor",
            "event.type == 'page'",
            "append",
            "event.properties.path"));
    definitions.add(
        """
        {"name": "bench_events", "type": "tally",
         "enrichments": [{"when": "true", "op": "increment", "key": "event.type"}]}""");
    return definitions;
  }

  private static String rule(
      String name, String type, String scope, String when, String op, String value) {
    Map<String, Object> enrichment = new LinkedHashMap<>();
    enrichment.put("when", when);
    enrichment.put("op", op);
    if (value != null) {
      enrichment.put("value", value);
    }
    try {
      return JSON.writeValueAsString(
          Map.of("name", name, "type", type, "scope", scope, "enrichments", List.of(enrichment)));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The {@value #AUDIENCES} audience rules: the first joins a visitor at the first page view (the
   * connectors' trigger); the others compare the counters with thresholds, and a few read a trait,
   * a string attribute or a badge.
   */
  static List<String> rules() {
    List<String> rules = new ArrayList<>();
    rules.add("profile.attributes.bench_pages >= 1.0");
    rules.add("profile.attributes.bench_plan == 'plus'");
    rules.add("'bench_buyer' in profile.badges");
    for (int i = 0; rules.size() < AUDIENCES; i++) {
      String counter = COUNTERS.get(i % COUNTERS.size());
      rules.add("profile.attributes." + counter + " >= " + (2 + i / COUNTERS.size()) + ".0");
    }
    return rules;
  }

  private PhaseResult throughput(
      BenchContext context,
      Map<SuiteService, ServiceProcess> services,
      String writeKey,
      ServiceProcess[] all,
      Deliveries deliveries)
      throws Exception {
    BenchSettings settings = context.settings();
    ServiceProcess collector = services.get(SuiteService.COLLECTOR);
    long startNanos = System.nanoTime();
    LoadWindow window = LoadWindow.startingNow(settings.warmup(), settings.measured());
    ProcessUsage usage = ProcessUsage.during(window, context.processes(all));
    AtomicLong finished = new AtomicLong();
    AtomicLong accepted = new AtomicLong();
    // One sequence for all clients: their templates share the run prefix, and the collector drops
    // a repeated messageId (answered 200 all the same).
    AtomicLong batches = new AtomicLong();
    Answers answers = new Answers();
    long deliveredBefore = deliveries.count.sum();
    long[] changes = new long[2]; // profile changes at the measured window's start and end
    long[] through = new long[2]; // events through the audience service, at the same moments
    try (KafkaConsumer<byte[], byte[]> consumer = context.consumer();
        Admin admin = context.admin()) {
      List<TopicPartition> partitions = BenchContext.partitions(consumer, Topics.PROFILES_CHANGES);
      long changesBase = BenchContext.total(consumer.endOffsets(partitions));
      long audienceBase =
          BenchContext.committedOffsets(admin, AUDIENCE_GROUP, Topics.PROFILES_CHANGES);
      List<Thread> clients = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        BatchTemplate template = new SegmentPayloads(i, 0x706970).batch(settings.batchEvents());
        Thread client =
            new Thread(
                () ->
                    offer(
                        collector, writeKey, template, window, batches, accepted, finished,
                        answers),
                "pipeline-client-" + i);
        client.start();
        clients.add(client);
      }
      boolean started = false;
      Progress progress = new Progress(admin, accepted);
      while (window.running(System.nanoTime())) {
        // The last stage every event reaches: the audience service, one change per event.
        finished.set(
            BenchContext.committedOffsets(admin, AUDIENCE_GROUP, Topics.PROFILES_CHANGES)
                - audienceBase);
        if (!started && window.measuring(System.nanoTime())) {
          started = true;
          changes[0] = BenchContext.total(consumer.endOffsets(partitions)) - changesBase;
          through[0] = finished.get();
        }
        progress.printEvery(Duration.ofSeconds(5));
        Thread.sleep(200);
      }
      changes[1] = BenchContext.total(consumer.endOffsets(partitions)) - changesBase;
      through[1] =
          BenchContext.committedOffsets(admin, AUDIENCE_GROUP, Topics.PROFILES_CHANGES)
              - audienceBase;
      for (Thread client : clients) {
        client.join();
      }
      long loadEndNanos = System.nanoTime();
      awaitCaughtUp(context, "profile-service", Topics.EVENTS_RESOLVED);
      awaitCaughtUp(context, AUDIENCE_GROUP, Topics.PROFILES_CHANGES);
      awaitCaughtUp(context, "connector-service", Topics.AUDIENCES_MEMBERSHIP);
      long doneNanos = System.nanoTime();
      double seconds = window.measuredSeconds();
      // Sustained: events through the last stage every event reaches, in the measured window.
      double e2e = (through[1] - through[0]) / seconds;
      // Every accepted event through every stage, over the whole run: warm-up, load and catch-up.
      double wholeRun = accepted.get() / ((doneNanos - startNanos) / 1e9);
      Map<String, Object> details = new LinkedHashMap<>();
      details.put(
          "setup",
          ATTRIBUTES
              + " attributes, "
              + AUDIENCES
              + " audiences, "
              + CONNECTORS
              + " webhook connectors (purpose analytics) on the first audience's joins");
      details.put(
          "mix",
          "60% track, 30% page, 10% identify; "
              + CLIENTS * settings.batchEvents()
              + " visitor slots, so most events come from returning visitors");
      details.put(
          "events_per_s",
          "sustained: events the audience service (the last stage every event reaches) committed"
              + " in the measured window, over its length");
      details.put("accepted_events", accepted.get());
      details.put("whole_run_events_per_s", Math.round(wholeRun));
      details.put(
          "whole_run",
          "every accepted event over the time from the first request until profile, audience and"
              + " connector services had committed all of them: warm-up and catch-up included");
      details.put("collector_answers", answers.all());
      details.put("profile_changes_per_s", Math.round((changes[1] - changes[0]) / seconds));
      details.put("deliveries", deliveries.count.sum() - deliveredBefore);
      details.put("catch_up_s", Math.round((doneNanos - loadEndNanos) / 1e8) / 10.0);
      details.put("processes", usage.result());
      details.put("load_average_1m", Results.loadAverage());
      return new PhaseResult(
          NAME,
          CLIENTS
              + " keep-alive clients, "
              + settings.batchEvents()
              + " events per request, at most "
              + MAX_LAG
              + " not yet through the audience service",
          CLIENTS,
          settings.warmup().toSeconds(),
          seconds,
          through[1] - through[0],
          details,
          Map.of("e2e_events_per_s", Math.round(e2e)));
    }
  }

  /** One throughput client: batches of events while fewer than {@link #MAX_LAG} wait. */
  private static void offer(
      ServiceProcess collector,
      String writeKey,
      BatchTemplate template,
      LoadWindow window,
      AtomicLong batches,
      AtomicLong accepted,
      AtomicLong finished,
      Answers answers) {
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
        if (accepted.get() - finished.get() >= MAX_LAG) {
          sleep(5);
          continue;
        }
        template.writeIds(body, batches.getAndIncrement());
        try {
          int status = connection.send(head, body);
          answers.count(Integer.toString(status));
          if (status == 200) {
            accepted.addAndGet(template.events());
          }
        } catch (IOException e) {
          answers.count(e.getClass().getSimpleName());
          sleep(100);
        }
      }
    }
  }

  private PhaseResult latency(
      BenchContext context,
      ServiceProcess collector,
      String writeKey,
      int rate,
      ServiceProcess[] all,
      Deliveries deliveries)
      throws Exception {
    BenchSettings settings = context.settings();
    LoadWindow window = LoadWindow.startingNow(settings.warmup(), settings.measured());
    RateSchedule schedule =
        RateSchedule.perSecond(rate, window.measureFromNanos() - settings.warmup().toNanos());
    ProcessUsage usage = ProcessUsage.during(window, context.processes(all));
    String run = Long.toHexString(System.nanoTime());
    StageTimes stages = StageTimes.start(context, id -> id.startsWith("lat-" + run + "-"));
    Map<String, Long> answeredAt = new ConcurrentHashMap<>();
    AtomicLong next = new AtomicLong();
    Answers answers = new Answers();
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      Thread client =
          new Thread(
              () -> {
                InetSocketAddress address = new InetSocketAddress("127.0.0.1", collector.port());
                try (HttpConnection connection =
                    new HttpConnection(address, Duration.ofSeconds(60))) {
                  for (long n = next.getAndIncrement();
                      window.running(schedule.dueNanos(n));
                      n = next.getAndIncrement()) {
                    RateSchedule.awaitNanos(schedule.dueNanos(n));
                    String messageId = "lat-" + run + "-" + n;
                    byte[] body = page(messageId).getBytes(StandardCharsets.UTF_8);
                    byte[] head =
                        HttpConnection.postHead(
                            "/v1/page",
                            "127.0.0.1:" + collector.port(),
                            body.length,
                            HttpConnection.writeKeyAuthorization(writeKey),
                            "Content-Type: application/json");
                    try {
                      int status = connection.send(head, body);
                      long answered = System.nanoTime();
                      answers.count(Integer.toString(status));
                      if (status == 200 && window.measuring(schedule.dueNanos(n))) {
                        answeredAt.put(messageId, answered);
                      }
                    } catch (IOException e) {
                      answers.count(e.getClass().getSimpleName());
                    }
                  }
                }
              },
              "pipeline-latency-" + i);
      client.start();
      clients.add(client);
    }
    for (Thread client : clients) {
      client.join();
    }
    long expected = (long) answeredAt.size() * CONNECTORS;
    long deadline = System.nanoTime() + DRAIN.toNanos();
    LatencyHistogram latency = new LatencyHistogram();
    Map<String, Long> firstArrival = new HashMap<>();
    long matched = 0;
    while (true) {
      for (Arrival arrival = deliveries.arrivals.poll();
          arrival != null;
          arrival = deliveries.arrivals.poll()) {
        Long answered = answeredAt.get(arrival.message());
        if (answered != null) {
          latency.recordNanos(arrival.nanos() - answered);
          firstArrival.merge(arrival.message(), arrival.nanos(), Math::min);
          matched++;
        }
      }
      if (matched >= expected || System.nanoTime() > deadline) {
        break;
      }
      Thread.sleep(50);
    }
    stages.close();
    double seconds = window.measuredSeconds();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("offered_per_s", rate);
    details.put("events", answeredAt.size());
    details.put("deliveries_expected", expected);
    details.put("deliveries_received", matched);
    details.put(
        "latency",
        "of a delivery: the collector's 200 for its event to its arrival at the receiver");
    details.putAll(latency.percentiles());
    Map<String, Object> split = stages.split(epochMillis(answeredAt), epochMillis(firstArrival));
    System.out.println("  stages (p50 / p99 ms): " + StageTimes.summary(split));
    details.put("stages", split);
    details.put(
        "stages_note",
        "each stage's time for an event, from the Kafka records' timestamps: identity = collector's"
            + " 200 to the resolved event, profile = to its profile change, audience = to the"
            + " profile's join, connector = to the first delivery's arrival");
    details.put("collector_answers", answers.all());
    details.put("processes", usage.result());
    details.put("load_average_1m", Results.loadAverage());
    if (matched < expected) {
      throw new IllegalStateException(
          matched + " of " + expected + " deliveries arrived within " + DRAIN + ": " + details);
    }
    return new PhaseResult(
        NAME + "_latency",
        rate + " new visitors' page views/s at fixed intervals, " + CONNECTORS + " deliveries each",
        16,
        settings.warmup().toSeconds(),
        seconds,
        answeredAt.size(),
        details,
        Map.of(
            "e2e_offered_per_s", rate, "p99_event_to_delivery_ms", latency.percentileMillis(99)));
  }

  /**
   * {@code System.nanoTime()} readings as epoch milliseconds, to compare with record timestamps.
   */
  private static Map<String, Long> epochMillis(Map<String, Long> nanos) {
    long offsetMillis = System.currentTimeMillis() - System.nanoTime() / 1_000_000;
    Map<String, Long> millis = new HashMap<>();
    nanos.forEach((key, value) -> millis.put(key, offsetMillis + value / 1_000_000));
    return millis;
  }

  /** A new visitor's page view. */
  private static String page(String messageId) {
    return """
        {"type":"page","anonymousId":"%s","messageId":"%s","name":"Home","timestamp":"%s",\
        "properties":{"path":"/","title":"Home"},\
        "context":{"locale":"en-GB","page":{"url":"https://shop.example.com/"}}}"""
        .formatted("v-" + messageId, messageId, Instant.now());
  }

  private static void awaitCaughtUp(BenchContext context, String group, String topic)
      throws Exception {
    try (Admin admin = context.admin()) {
      BenchContext.awaitCommitted(admin, group, topic, context.endOffsets(topic), DRAIN);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Where the run's events are: every few seconds, how many each consumer group has committed since
   * the run began, so a stage that falls behind shows (commits lag the work by up to a second).
   */
  private static final class Progress {
    private static final List<String[]> STAGES =
        List.of(
            new String[] {"identity", "identity-service", Topics.EVENTS_RAW},
            new String[] {"profile", "profile-service", Topics.EVENTS_RESOLVED},
            new String[] {"consent", "consent-service", Topics.EVENTS_RESOLVED},
            new String[] {"audience", AUDIENCE_GROUP, Topics.PROFILES_CHANGES},
            new String[] {"connector", "connector-service", Topics.AUDIENCES_MEMBERSHIP});

    private final Admin admin;
    private final AtomicLong accepted;
    private final long[] base;
    private final long startNanos = System.nanoTime();
    private long lastNanos = startNanos;

    Progress(Admin admin, AtomicLong accepted) throws Exception {
      this.admin = admin;
      this.accepted = accepted;
      this.base = new long[STAGES.size()];
      for (int i = 0; i < base.length; i++) {
        base[i] = BenchContext.committedOffsets(admin, STAGES.get(i)[1], STAGES.get(i)[2]);
      }
    }

    void printEvery(Duration every) throws Exception {
      long now = System.nanoTime();
      if (now - lastNanos < every.toNanos()) {
        return;
      }
      lastNanos = now;
      StringBuilder line =
          new StringBuilder(
              String.format("    %3.0f s: accepted %,d", (now - startNanos) / 1e9, accepted.get()));
      for (int i = 0; i < base.length; i++) {
        String[] stage = STAGES.get(i);
        long done = BenchContext.committedOffsets(admin, stage[1], stage[2]) - base[i];
        line.append(String.format(", %s %,d", stage[0], done));
      }
      System.out.println(line);
    }
  }

  /** A delivery's arrival: the messageId it carries and when it came. */
  private record Arrival(String message, long nanos) {}

  /** What the receiver got: every delivery counted, those with a messageId kept for matching. */
  private static final class Deliveries implements ReceiverServer.Deliveries {
    private final LongAdder count = new LongAdder();
    private final Queue<Arrival> arrivals = new ConcurrentLinkedQueue<>();

    @Override
    public void arrived(long arrivedNanos, JsonNode delivery) {
      count.increment();
      String message = delivery.path("data").path("message").asText("");
      if (message.startsWith("lat-")) {
        arrivals.add(new Arrival(message, arrivedNanos));
      }
    }
  }
}
