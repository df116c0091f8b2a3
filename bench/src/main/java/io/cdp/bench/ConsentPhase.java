package io.cdp.bench;

import io.cdp.contracts.consent.v1.CheckRequest;
import io.cdp.contracts.consent.v1.CheckResponse;
import io.cdp.contracts.identity.v1.Identifier;
import io.cdp.contracts.identity.v1.ResolveRequest;
import io.cdp.contracts.identity.v1.ResolveResponse;
import io.cdp.localstack.ServiceProcess;
import io.cdp.localstack.SuiteService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Consent enforcement: how fast consent-service answers {@code Consent.Check} over gRPC, as the
 * connector service asks it before every delivery (by profile id, for one purpose).
 *
 * <ol>
 *   <li>Setup: identity-service and consent-service run as their own processes. {@value #PEOPLE}
 *       people are created in the identity graph ({@code Identity.Resolve} with a user id and an
 *       email each), and each sets consent under the email through the consent API: advertising
 *       granted by every other person, analytics by all.
 *   <li>Checks: {@code Check(profile_id, [advertising])} of random people, open-loop at each fixed
 *       rate ({@link RateSchedule}); latency counts from when the call was due to its answer. Every
 *       answer is compared with what the person chose. A check widens the profile to the person
 *       (identity {@code Lookup}) and reads the consent of each of their subjects, so it measures
 *       the whole path the connector depends on.
 * </ol>
 */
final class ConsentPhase implements Phase {

  static final String NAME = "consent";

  /** People with consent set. */
  static final int PEOPLE = 2_000;

  /** Fixed rates of checks, per second; the last is the one the target is for (p99 < 2 ms). */
  static final List<Integer> RATES = List.of(1_000, 5_000);

  /** Setup calls in flight at once. */
  private static final int SETUP_CONCURRENCY = 16;

  private static final String CHECK = "cdp.consent.v1.Consent/Check";
  private static final String RESOLVE = "cdp.identity.v1.Identity/Resolve";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<PhaseResult> run(BenchContext context) throws Exception {
    try (ServiceProcess identity = context.startService(SuiteService.IDENTITY);
        ServiceProcess consent = context.startService(SuiteService.CONSENT)) {
      System.out.printf("  %,d people in the identity graph, with consent...%n", PEOPLE);
      List<String> profileIds;
      try (ConsentGrpc identityClient = ConsentGrpc.connect(identity.url())) {
        profileIds = people(identityClient);
      }
      setConsent(context, consent);
      List<PhaseResult> results = new ArrayList<>();
      try (ConsentGrpc client = ConsentGrpc.connect(consent.url())) {
        checkEveryone(client, profileIds);
        for (int rate : RATES) {
          System.out.printf("  checks at %,d/s...%n", rate);
          results.add(checks(context, client, rate, profileIds, identity, consent));
        }
      }
      context.saveMetrics(consent);
      return results;
    }
  }

  /** Creates the people; returns their profile ids, person {@code i} at index {@code i}. */
  private static List<String> people(ConsentGrpc identity) throws InterruptedException {
    String[] profileIds = new String[PEOPLE];
    Semaphore inFlight = new Semaphore(SETUP_CONCURRENCY);
    List<CompletableFuture<?>> calls = new ArrayList<>();
    for (int i = 0; i < PEOPLE; i++) {
      int person = i;
      ResolveRequest request =
          ResolveRequest.newBuilder()
              .addIdentifiers(identifier("user_id", userId(person)))
              .addIdentifiers(identifier("email", email(person)))
              .build();
      inFlight.acquire();
      calls.add(
          identity
              .call(RESOLVE, request, ResolveResponse.parser())
              .whenComplete((answer, error) -> inFlight.release())
              .thenAccept(
                  answer -> {
                    if (!answer.ok()) {
                      throw new IllegalStateException("Resolve failed: " + answer.status());
                    }
                    profileIds[person] = answer.message().getProfileId();
                  }));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
    return List.of(profileIds);
  }

  /** Every person's choice under their email, through the consent API. */
  private static void setConsent(BenchContext context, ServiceProcess consent)
      throws InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    Semaphore inFlight = new Semaphore(SETUP_CONCURRENCY);
    List<CompletableFuture<?>> calls = new ArrayList<>();
    for (int i = 0; i < PEOPLE; i++) {
      String body =
          "{\"purposes\": {\"advertising\": " + grantsAdvertising(i) + ", \"analytics\": true}}";
      HttpRequest put =
          HttpRequest.newBuilder(URI.create(consent.url() + "/v1/consent/email:" + email(i)))
              .header("Authorization", "Bearer " + context.adminToken())
              .header("Content-Type", "application/json")
              .PUT(HttpRequest.BodyPublishers.ofString(body))
              .build();
      inFlight.acquire();
      calls.add(
          http.sendAsync(put, HttpResponse.BodyHandlers.ofString())
              .whenComplete((response, error) -> inFlight.release())
              .thenAccept(
                  response -> {
                    if (response.statusCode() != 200) {
                      throw new IllegalStateException(
                          "PUT consent answered " + response.statusCode() + ": " + response.body());
                    }
                  }));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
  }

  /**
   * One check of every person, a few at a time, each answer compared with their choice: as a
   * connector that has been running, consent-service then knows who every profile is (it asks the
   * identity service once per person and refreshes behind the checks), and the timed checks measure
   * the steady state rather than a cold start's burst of identity lookups.
   */
  private static void checkEveryone(ConsentGrpc client, List<String> profileIds)
      throws InterruptedException {
    Semaphore inFlight = new Semaphore(SETUP_CONCURRENCY);
    List<CompletableFuture<?>> calls = new ArrayList<>();
    for (int i = 0; i < PEOPLE; i++) {
      int person = i;
      inFlight.acquire();
      calls.add(
          client
              .call(CHECK, check(profileIds.get(person)), CheckResponse.parser())
              .whenComplete((answer, error) -> inFlight.release())
              .thenAccept(
                  answer -> {
                    if (!answer.ok()
                        || answer.message().getAllowedOrDefault("advertising", false)
                            != grantsAdvertising(person)) {
                      throw new IllegalStateException(
                          "Check of person " + person + " answered " + answer);
                    }
                  }));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
  }

  private static CheckRequest check(String profileId) {
    return CheckRequest.newBuilder().setProfileId(profileId).addPurposes("advertising").build();
  }

  /** Checks of random people at {@code rate} a second, open-loop. */
  private static PhaseResult checks(
      BenchContext context,
      ConsentGrpc client,
      int rate,
      List<String> profileIds,
      ServiceProcess identity,
      ServiceProcess consent)
      throws Exception {
    BenchSettings settings = context.settings();
    LoadWindow window = LoadWindow.startingNow(settings.warmup(), settings.measured());
    RateSchedule schedule =
        RateSchedule.perSecond(rate, window.measureFromNanos() - settings.warmup().toNanos());
    Answers answers = new Answers();
    LongAdder answeredInWindow = new LongAdder();
    LatencyHistogram latency = new LatencyHistogram();
    // Per second of the window too: a tail from bursts (lookups, GC) shows as a few bad seconds
    LatencyHistogram[] bySecond =
        new LatencyHistogram[(int) Math.max(1, settings.measured().toSeconds())];
    Arrays.setAll(bySecond, second -> new LatencyHistogram());
    ProcessUsage usage = ProcessUsage.during(window, context.processes(identity, consent));
    WakeupLateness machine = WakeupLateness.during(window);
    // Calls are counted, not kept: 150,000 answers held until the end would make this client's
    // garbage collections copy ever more, and its pauses would count as the service's latency
    AtomicLong unanswered = new AtomicLong(1);
    CompletableFuture<Void> allAnswered = new CompletableFuture<>();
    for (long n = 0, due = schedule.dueNanos(0);
        window.running(due);
        due = schedule.dueNanos(++n)) {
      RateSchedule.awaitNanos(due);
      int person = ThreadLocalRandom.current().nextInt(PEOPLE);
      long dueAt = due;
      CheckRequest request = check(profileIds.get(person));
      unanswered.incrementAndGet();
      client
          .call(CHECK, request, CheckResponse.parser())
          .whenComplete(
              (answer, error) -> {
                long end = System.nanoTime();
                if (error != null) {
                  answers.count(error.getClass().getSimpleName());
                } else if (!answer.ok()) {
                  answers.count(answer.status());
                } else {
                  boolean allowed = answer.message().getAllowedOrDefault("advertising", false);
                  answers.count(allowed == grantsAdvertising(person) ? "ok" : "wrong");
                  if (window.measuring(dueAt)) {
                    latency.recordNanos(end - dueAt);
                    int second = (int) ((dueAt - window.measureFromNanos()) / 1_000_000_000L);
                    bySecond[Math.min(second, bySecond.length - 1)].recordNanos(end - dueAt);
                  }
                  if (window.measuring(end)) {
                    answeredInWindow.increment();
                  }
                }
                if (unanswered.decrementAndGet() == 0) {
                  allAnswered.complete(null);
                }
              });
    }
    if (unanswered.decrementAndGet() == 0) {
      allAnswered.complete(null);
    }
    allAnswered.join();
    machine.close();
    Map<String, Long> all = answers.all();
    if (all.size() != 1 || !all.containsKey("ok")) {
      throw new IllegalStateException("Checks answered other than as consented: " + all);
    }

    double seconds = window.measuredSeconds();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("offered_per_s", rate);
    details.put("checks_per_s", Math.round(answeredInWindow.sum() / seconds));
    details.put("people", PEOPLE);
    details.put("latency", "of a check: due (open-loop schedule) to answered");
    details.putAll(latency.percentiles());
    details.put("answers", all);
    details.put(
        "p99_ms_by_second", Arrays.stream(bySecond).map(h -> h.percentileMillis(99)).toList());
    details.put("processes", usage.result());
    details.put("load_average_1m", Results.loadAverage());
    details.put(
        "wakeup_lateness",
        "of a thread in the bench that asks to wake every 1 ms of the window (WakeupLateness)");
    details.put("wakeup_lateness_ms", machine.result().percentiles());
    Map<String, Object> headline = new LinkedHashMap<>();
    headline.put("consent_check_" + rate + "_p99_ms", latency.percentileMillis(99));
    headline.put("consent_check_" + rate + "_wakeup_p99_ms", machine.result().percentileMillis(99));
    if (rate == RATES.get(RATES.size() - 1)) {
      headline.put("consent_check_offered_per_s", rate);
      headline.put("consent_check_p99_ms", latency.percentileMillis(99));
    }
    return new PhaseResult(
        NAME + "_check_" + rate,
        rate + " checks/s offered at fixed intervals over one gRPC channel (HTTP/2 connection)",
        1,
        settings.warmup().toSeconds(),
        seconds,
        answeredInWindow.sum(),
        details,
        headline);
  }

  private static boolean grantsAdvertising(int person) {
    return person % 2 == 0;
  }

  private static String userId(int person) {
    return "consent-bench-" + person;
  }

  private static String email(int person) {
    return "consent-bench-" + person + "@example.com";
  }

  private static Identifier identifier(String type, String value) {
    return Identifier.newBuilder().setType(type).setValue(value).build();
  }
}
