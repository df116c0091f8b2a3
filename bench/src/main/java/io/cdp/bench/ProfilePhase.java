package io.cdp.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cdp.contracts.Topics;
import io.cdp.contracts.identity.v1.Identifier;
import io.cdp.contracts.identity.v1.ResolvedEvent;
import io.cdp.localstack.ServiceProcess;
import io.cdp.localstack.SuiteService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The live profile: how fast profile-service applies resolved events, and how fast it answers
 * lookups at a fixed rate.
 *
 * <ol>
 *   <li>Updates: with a few attributes defined (enrichments on orders, product views, pages),
 *       {@code ResolvedEvent}s ({@link ProfileEvents}: realistic Segment events, a quarter of them
 *       for a new profile) are kept waiting on {@code cdp.events.resolved} ({@link Backlog}), and
 *       counted by the changes the service wrote to {@code cdp.profiles.changes} in the measured
 *       window, one per event; at the end it must have committed every event.
 *   <li>Lookups: {@code GET /v1/profiles/user_id:<id>} of random loaded profiles (every profile the
 *       first step created), open-loop at each fixed rate ({@link RateSchedule}): latency counts
 *       from when the request was due.
 * </ol>
 */
final class ProfilePhase implements Phase {

  static final String NAME = "profile";

  /** Resolved events waiting for the service at most: a few polls (500 records each) ahead. */
  private static final int MAX_LAG = 5_000;

  /** profile-service's consumer group on {@code cdp.events.resolved} (its properties). */
  private static final String GROUP = "profile-service";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Attributes as a shop would define them: every event is evaluated against all of them. */
  private static final List<String> ATTRIBUTES =
      List.of(
          """
          {"name": "lifetime_value", "type": "number", "enrichments": [
            {"when": "event.event == 'Order Completed'", "op": "increment",
             "value": "event.properties.price"}]}""",
          """
          {"name": "last_viewed_product", "type": "string", "enrichments": [
            {"when": "event.event == 'Product Viewed'", "op": "set",
             "value": "event.properties.product_id"}]}""",
          """
          {"name": "products_of_interest", "type": "set", "enrichments": [
            {"when": "event.event == 'Product Viewed' || event.event == 'Product Added'",
             "op": "add", "value": "event.properties.name"}]}""",
          """
          {"name": "page_views", "type": "number", "scope": "visit", "enrichments": [
            {"when": "event.type == 'page'", "op": "increment"}]}""",
          """
          {"name": "events_by_name", "type": "tally", "enrichments": [
            {"when": "event.type == 'track'", "op": "increment", "key": "event.event"}]}""");

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<PhaseResult> run(BenchContext context) throws Exception {
    BenchSettings settings = context.settings();
    context.skipToEnd(GROUP, Topics.EVENTS_RESOLVED);
    try (ServiceProcess profile = context.startService(SuiteService.PROFILE)) {
      for (String attribute : ATTRIBUTES) {
        context.adminPost(profile, "/v1/attributes", attribute);
      }
      List<PhaseResult> results = new ArrayList<>();
      ProfileEvents events = new ProfileEvents("bench");
      Backlog.Result backlog =
          Backlog.run(
              context,
              GROUP,
              Topics.EVENTS_RESOLVED,
              Topics.PROFILES_CHANGES,
              LoadWindow.startingNow(settings.warmup(), settings.measured()),
              MAX_LAG,
              events::record,
              context.processes(profile));
      checkLoaded(profile, context.adminToken(), events);
      results.add(updates(settings, backlog, events.created()));
      for (int rate : settings.lookupRates()) {
        System.out.printf("  lookups at %,d/s...%n", rate);
        results.add(lookups(context, profile, rate, events));
      }
      context.saveMetrics(profile);
      return results;
    }
  }

  /** A loaded profile must be found with every event applied, or the figures mean nothing. */
  private static void checkLoaded(ServiceProcess profile, String adminToken, ProfileEvents events)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(profile.url() + "/v1/profiles/user_id:" + events.userId(0)))
            .header("Authorization", "Bearer " + adminToken)
            .build();
    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    JsonNode count =
        response.statusCode() == 200
            ? JSON.readTree(response.body()).path("attributes").path("event_count")
            : null;
    if (count == null || count.asInt() != events.eventsOfFirstProfile()) {
      throw new IllegalStateException(
          "A loaded profile is not as expected: " + response.statusCode() + " " + response.body());
    }
  }

  private static PhaseResult updates(BenchSettings settings, Backlog.Result backlog, int profiles) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("profiles", profiles);
    details.put("events_per_profile", ProfileEvents.EVENTS_PER_PROFILE);
    details.put("attributes", ATTRIBUTES.size());
    details.put("events_written", backlog.written());
    details.put("processes", backlog.processes());
    details.put("load_average_1m", Results.loadAverage());
    return new PhaseResult(
        NAME,
        "resolved events (1 in 4 for a new profile) kept waiting (up to "
            + MAX_LAG
            + "), consumed as fast as the service goes",
        1,
        settings.warmup().toSeconds(),
        Math.round(backlog.seconds() * 100) / 100.0,
        backlog.done(),
        details,
        Map.of("profile_updates_per_s", Math.round(backlog.perSecond())));
  }

  /** Lookups of loaded profiles at {@code rate} a second, open-loop, from many connections. */
  private static PhaseResult lookups(
      BenchContext context, ServiceProcess profile, int rate, ProfileEvents events)
      throws Exception {
    BenchSettings settings = context.settings();
    String host = "127.0.0.1:" + profile.port();
    String authorization = "Authorization: Bearer " + context.adminToken();
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", profile.port());
    byte[] noBody = new byte[0];

    LoadWindow window = LoadWindow.startingNow(settings.warmup(), settings.measured());
    RateSchedule schedule =
        RateSchedule.perSecond(rate, window.measureFromNanos() - settings.warmup().toNanos());
    AtomicLong next = new AtomicLong();
    Answers answers = new Answers();
    LongAdder answeredInWindow = new LongAdder();
    LatencyHistogram latency = new LatencyHistogram();
    ProcessUsage usage = ProcessUsage.during(window, context.processes(profile));
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < settings.connections(); i++) {
      Thread client =
          new Thread(
              () -> {
                try (HttpConnection connection =
                    new HttpConnection(address, Duration.ofSeconds(10))) {
                  for (long due = schedule.dueNanos(next.getAndIncrement());
                      window.running(due);
                      due = schedule.dueNanos(next.getAndIncrement())) {
                    RateSchedule.awaitNanos(due);
                    int user = ThreadLocalRandom.current().nextInt(events.created());
                    byte[] head =
                        HttpConnection.getHead(
                            "/v1/profiles/user_id:" + events.userId(user), host, authorization);
                    int status;
                    try {
                      status = connection.send(head, noBody);
                    } catch (IOException e) {
                      answers.count(e.getClass().getSimpleName());
                      continue;
                    }
                    long end = System.nanoTime();
                    answers.count(Integer.toString(status));
                    if (window.measuring(due)) {
                      latency.recordNanos(end - due);
                    }
                    if (status == 200 && window.measuring(end)) {
                      answeredInWindow.increment();
                    }
                  }
                }
              },
              "lookup-" + i);
      client.start();
      clients.add(client);
    }
    for (Thread client : clients) {
      client.join();
    }
    if (answers.count(404) > 0) {
      throw new IllegalStateException("Lookups of loaded profiles answered 404: " + answers.all());
    }

    double seconds = window.measuredSeconds();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("offered_per_s", rate);
    details.put("requests_per_s", Math.round(answeredInWindow.sum() / seconds));
    details.put("latency", "of a lookup: due (open-loop schedule) to answered");
    details.putAll(latency.percentiles());
    details.put("answers", answers.all());
    details.put("processes", usage.result());
    details.put("load_average_1m", Results.loadAverage());
    Map<String, Object> headline = new LinkedHashMap<>();
    headline.put("profile_lookup_" + rate + "_p99_ms", latency.percentileMillis(99));
    if (rate == settings.lookupRates().get(settings.lookupRates().size() - 1)) {
      headline.put("profile_lookup_offered_per_s", rate);
      headline.put("profile_lookup_p99_ms", latency.percentileMillis(99));
    }
    return new PhaseResult(
        NAME + "_lookup_" + rate,
        rate
            + " lookups/s offered at fixed intervals over "
            + settings.connections()
            + " connections",
        settings.connections(),
        settings.warmup().toSeconds(),
        seconds,
        answeredInWindow.sum(),
        details,
        headline);
  }

  /**
   * The resolved events of one population of profiles, as {@link Backlog} records. Profiles come in
   * blocks of {@value #BLOCK}, each profile gets {@value #EVENTS_PER_PROFILE} events, and the
   * events of a block are interleaved round by round: a quarter of the events create a profile, the
   * rest update one, and consecutive records are for different profiles, as in real traffic.
   * Profile {@code p} is {@code <population>-profile-<p>} with identifier {@code
   * user_id:<population>-user-<p>}; its events are track, page or identify as {@link
   * SegmentPayloads} draws them. Records are asked for in order, {@code n = 0, 1, 2...}.
   */
  static final class ProfileEvents {

    static final int BLOCK = 1_000;
    static final int EVENTS_PER_PROFILE = 4;

    private final String population;
    private final SegmentPayloads payloads;
    private int created;
    private int eventsOfFirstProfile;

    ProfileEvents(String population) {
      this.population = population;
      this.payloads = new SegmentPayloads(population.hashCode(), population.hashCode());
    }

    ProducerRecord<String, byte[]> record(long n) {
      int profile = profileOf(n);
      created = Math.max(created, profile + 1);
      if (profile == 0) {
        eventsOfFirstProfile++;
      }
      String userId = userId(profile);
      ObjectNode event = payloads.event(payloads.messageId(n));
      event.remove("anonymousId");
      event.put("userId", userId);
      ResolvedEvent resolved =
          ResolvedEvent.newBuilder()
              .setProfileId(population + "-profile-" + profile)
              .addIdentifiers(Identifier.newBuilder().setType("user_id").setValue(userId))
              .setEvent(SegmentPayloads.raw(event, "bench", Instant.now()))
              .build();
      return new ProducerRecord<>(
          Topics.EVENTS_RESOLVED, resolved.getProfileId(), resolved.toByteArray());
    }

    /** The profile of record {@code n}. */
    static int profileOf(long n) {
      long eventsPerBlock = (long) BLOCK * EVENTS_PER_PROFILE;
      return (int) (n / eventsPerBlock * BLOCK + n % eventsPerBlock % BLOCK);
    }

    String userId(int profile) {
      return population + "-user-" + profile;
    }

    /** Profiles the records so far created: numbers {@code 0} to {@code created - 1}. */
    int created() {
      return created;
    }

    /** Events the records so far gave profile 0. */
    int eventsOfFirstProfile() {
      return eventsOfFirstProfile;
    }
  }
}
