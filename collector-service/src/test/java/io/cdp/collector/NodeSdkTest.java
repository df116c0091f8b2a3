package io.cdp.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cdp.contracts.collector.v1.RawEvent;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The real Node SDKs of Segment and RudderStack, unchanged and pointed at the collector, deliver
 * every call type: {@code src/test/node/send.mjs} runs in a child Node process, and each event is
 * read back from cdp.events.raw as the SDK sent it. Needs Node.js 20+ and npm on the PATH.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class NodeSdkTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path PROJECT = Path.of("src/test/node");
  // npm installs here, so node_modules never lands in src/
  private static final Path WORK = Path.of("target/node-sdk");
  // the client's event time that send.mjs sets on every call
  private static final Instant EVENT_TIME = Instant.parse("2026-01-02T03:04:05.678Z");

  /** An SDK as send.mjs uses it: its messageId prefix, npm package and context.library name. */
  private record Sdk(String prefix, String npmPackage, String library, boolean sentAtOnEachEvent) {}

  private static final List<Sdk> SDKS =
      List.of(
          new Sdk("segment", "@segment/analytics-node", "@segment/analytics-node", false),
          new Sdk("rudder", "@rudderstack/rudder-sdk-node", "analytics-node", true));

  @TestHTTPResource URI collector;

  @Test
  void segmentAndRudderStackNodeSdksDeliverEveryCallWithTheirFields() throws Exception {
    String writeKey = Stack.newWriteKey();
    String runId = UUID.randomUUID().toString();
    installSdks();
    Instant startedSending = Instant.now();
    // 127.0.0.1, not localhost: Node may resolve localhost to ::1, where the test server is not
    run(
        Duration.ofMinutes(2),
        "node",
        "send.mjs",
        "http://127.0.0.1:" + collector.getPort(),
        writeKey,
        runId);

    JsonNode versions = JSON.readTree(PROJECT.resolve("package.json").toFile()).get("dependencies");
    Map<String, JsonNode> calls = expectedCalls(runId);
    for (Sdk sdk : SDKS) {
      Map<String, RawEvent> events =
          Stack.readRaw(
              calls.keySet().stream()
                  .map(type -> messageId(sdk, type, runId))
                  .collect(Collectors.toSet()));
      for (Map.Entry<String, JsonNode> call : calls.entrySet()) {
        String messageId = messageId(sdk, call.getKey(), runId);
        RawEvent event = events.get(messageId);
        JsonNode payload = JSON.readTree(event.getPayloadJson().toByteArray());
        JsonNode sent = call.getValue();
        assertEquals(call.getKey(), event.getType(), messageId);
        assertEquals(sent.path("userId").asText(), event.getUserId(), messageId);
        assertEquals(sent.path("anonymousId").asText(), event.getAnonymousId(), messageId);
        assertEquals(sent.path("event").asText(), event.getEvent(), messageId);
        assertContains(sent, payload, messageId);
        assertEquals(sdk.library(), payload.at("/context/library/name").asText(), messageId);
        assertEquals(
            versions.get(sdk.npmPackage()).asText(),
            payload.at("/context/library/version").asText(),
            messageId);
        assertClientTimeCorrected(sdk, payload, startedSending, messageId);
      }
    }
  }

  /** What send.mjs sends through each SDK, by call type (ids derived from the run id). */
  private static Map<String, JsonNode> expectedCalls(String runId) {
    String userId = "user-" + runId;
    String anonymousId = "anon-" + runId;
    Map<String, Object> calls = new LinkedHashMap<>();
    calls.put(
        "identify",
        Map.of(
            "userId",
            userId,
            "anonymousId",
            anonymousId,
            "traits",
            Map.of("email", "ann-" + runId + "@example.com", "plan", "pro")));
    calls.put(
        "track",
        Map.of(
            "userId",
            userId,
            "event",
            "Order Completed",
            "properties",
            Map.of("orderId", "o-1", "revenue", 12.5, "currency", "EUR")));
    calls.put(
        "page",
        Map.of(
            "anonymousId",
            anonymousId,
            "category",
            "Docs",
            "name",
            "Pricing",
            "properties",
            Map.of("path", "/pricing")));
    calls.put(
        "screen", Map.of("userId", userId, "name", "Home", "properties", Map.of("variant", "b")));
    calls.put(
        "group",
        Map.of("userId", userId, "groupId", "group-" + runId, "traits", Map.of("name", "Acme")));
    calls.put("alias", Map.of("userId", userId, "previousId", anonymousId));
    Map<String, JsonNode> asJson = new LinkedHashMap<>();
    calls.forEach((type, call) -> asJson.put(type, JSON.valueToTree(call)));
    return asJson;
  }

  private static String messageId(Sdk sdk, String type, String runId) {
    return sdk.prefix() + "-" + type + "-" + runId;
  }

  /** Every field of {@code expected} is in {@code actual} with the same value (SDKs add more). */
  private static void assertContains(JsonNode expected, JsonNode actual, String where) {
    expected
        .fields()
        .forEachRemaining(
            field -> {
              JsonNode value = actual.get(field.getKey());
              String path = where + "/" + field.getKey();
              if (field.getValue().isObject() && value != null) {
                assertContains(field.getValue(), value, path);
              } else {
                assertEquals(field.getValue(), value, path);
              }
            });
  }

  /**
   * The event time is the client's, shifted by the time between sending and receiving (the
   * collector's clock-skew correction: timestamp + receivedAt - sentAt).
   */
  private static void assertClientTimeCorrected(
      Sdk sdk, JsonNode payload, Instant startedSending, String messageId) {
    // Segment sends its event time as timestamp, RudderStack as originalTimestamp only
    assertEquals(EVENT_TIME, Instant.parse(payload.get("originalTimestamp").asText()), messageId);
    Instant timestamp = Instant.parse(payload.get("timestamp").asText());
    Instant receivedAt = Instant.parse(payload.get("receivedAt").asText());
    if (sdk.sentAtOnEachEvent()) {
      Instant sentAt = Instant.parse(payload.get("sentAt").asText());
      assertEquals(EVENT_TIME.plus(Duration.between(sentAt, receivedAt)), timestamp, messageId);
    } else {
      // the batch's sentAt is not kept: the shift lies between zero and the whole run's time
      assertTrue(
          !timestamp.isBefore(EVENT_TIME)
              && !timestamp.isAfter(EVENT_TIME.plus(Duration.between(startedSending, receivedAt))),
          messageId + " has timestamp " + timestamp);
    }
  }

  /** A fresh install of the pinned SDKs from package-lock.json, next to a copy of send.mjs. */
  private static void installSdks() throws Exception {
    Files.createDirectories(WORK);
    for (String file : List.of("package.json", "package-lock.json", "send.mjs")) {
      Files.copy(PROJECT.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    String version = run(Duration.ofSeconds(30), "node", "--version").trim();
    assertTrue(
        Integer.parseInt(version.substring(1, version.indexOf('.'))) >= 20,
        "The Node SDKs need Node.js 20 or newer, found " + version);
    // no optional packages (RudderStack's Redis queue) and no install scripts: not used here
    run(
        Duration.ofMinutes(5),
        "npm",
        "ci",
        "--omit=optional",
        "--ignore-scripts",
        "--prefer-offline",
        "--no-audit",
        "--no-fund");
  }

  /** Runs {@code command} in {@link #WORK}; returns its output, fails the test if it fails. */
  private static String run(Duration timeout, String... command) throws Exception {
    Path log = WORK.resolve(command[0] + ".log");
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .directory(WORK.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      return fail(
          "This test needs Node.js 20+ and npm on the PATH; cannot run '"
              + command[0]
              + "': "
              + e.getMessage());
    }
    if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      fail(
          String.join(" ", command)
              + " did not end within "
              + timeout
              + ":\n"
              + Files.readString(log));
    }
    if (process.exitValue() != 0) {
      fail(
          String.join(" ", command)
              + " exited "
              + process.exitValue()
              + ":\n"
              + Files.readString(log));
    }
    return Files.readString(log);
  }
}
