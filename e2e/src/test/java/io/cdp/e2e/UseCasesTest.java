package io.cdp.e2e;

import static io.cdp.e2e.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cdp.e2e.WebhookReceiver.Received;
import io.cdp.localstack.SuiteService;
import io.restassured.path.json.JsonPath;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The use cases a CDP must serve, end to end (issue 9): the stack and the six services run as
 * separate processes, configured only through their public HTTP APIs; events go in through the
 * collector's Segment API, and each test asserts what a user sees: profile lookups, memberships,
 * consent, webhook and email deliveries, delivery logs. Every test uses its own identifiers,
 * attributes, audiences and connectors, so they are independent of each other and of their order.
 */
class UseCasesTest {

  private static Suite suite;
  private static Cdp cdp;

  @BeforeAll
  static void startSuite() throws Exception {
    suite = Suite.start(UseCasesTest.class);
    cdp = Cdp.withNewSource(suite, "e2e-web");
  }

  @AfterAll
  static void stopSuite() {
    if (suite != null) {
      suite.close();
    }
  }

  @Test
  void anonymousBrowsingThenLoginEndsOnOneProfileWithEveryIdentifier() {
    String anonymousId = "anon-" + uid();
    String userId = "user-" + uid();
    String email = "ann." + uid() + "@example.com";
    Map<String, Object> anonymous = Map.of("anonymousId", anonymousId);
    cdp.send("page", with(anonymous, "name", "Home"));
    cdp.track(anonymous, "Product Viewed", Map.of("product_id", "sku-1"));
    String anonymousProfile =
        cdp.awaitProfile("anonymous_id:" + anonymousId, "the anonymous profile", p -> true)
            .getString("profileId");

    // Login: the same device identifies with a user id and an email (written in mixed case).
    cdp.identify(
        Map.of("anonymousId", anonymousId, "userId", userId), Map.of("email", email.toUpperCase()));

    List<String> identifiers =
        List.of("anonymous_id:" + anonymousId, "user_id:" + userId, "email:" + email);
    JsonPath byUser =
        cdp.awaitProfile(
            "user_id:" + userId,
            "every identifier on one profile",
            p -> p.getList("identifiers").containsAll(identifiers));
    assertEquals(anonymousProfile, byUser.getString("profileId"));
    for (String identifier : identifiers) {
      JsonPath profile = cdp.profile(identifier).then().statusCode(200).extract().jsonPath();
      assertEquals(anonymousProfile, profile.getString("profileId"), identifier);
      assertTrue(profile.getList("identifiers").containsAll(identifiers), identifier);
    }
  }

  @Test
  void ordersEnrichTheProfileWithLifetimeValueAndFavouriteCategory() {
    cdp.createAttribute(
        Map.of(
            "name",
            "lifetime_value",
            "type",
            "number",
            "enrichments",
            List.of(
                Map.of(
                    "when",
                    "event.event == 'Order Completed'",
                    "op",
                    "increment",
                    "value",
                    "event.properties.revenue"))));
    cdp.createAttribute(
        Map.of(
            "name",
            "categories_bought",
            "type",
            "tally",
            "enrichments",
            List.of(
                Map.of(
                    "when",
                    "event.event == 'Order Completed'",
                    "op",
                    "increment",
                    "key",
                    "event.properties.category"))));

    Map<String, Object> buyer = Map.of("userId", "buyer-" + uid());
    cdp.track(buyer, "Order Completed", Map.of("revenue", 30, "category", "shoes"));
    cdp.track(buyer, "Order Completed", Map.of("revenue", 45.5, "category", "hats"));
    cdp.track(buyer, "Order Completed", Map.of("revenue", 20, "category", "shoes"));
    cdp.track(buyer, "Product Viewed", Map.of("category", "socks")); // not an order

    JsonPath profile =
        cdp.awaitProfile(
            "user_id:" + buyer.get("userId"),
            "all four events applied",
            p -> Objects.equals(number(p, "attributes.event_count"), 4.0));
    assertEquals(95.5, number(profile, "attributes.lifetime_value"));
    Map<String, Number> tally = profile.getMap("attributes.categories_bought");
    assertEquals(2, tally.size(), "only orders count: " + tally);
    assertEquals(2.0, tally.get("shoes").doubleValue(), "tally: " + tally);
    assertEquals(1.0, tally.get("hats").doubleValue(), "tally: " + tally);
    String favourite =
        tally.entrySet().stream()
            .max(Comparator.comparingDouble(e -> e.getValue().doubleValue()))
            .orElseThrow()
            .getKey();
    assertEquals("shoes", favourite, "the favourite category, the tally's top");
  }

  @Test
  void theProfileLookupReflectsATrackEventWithinSeconds() {
    cdp.createAttribute(
        Map.of(
            "name",
            "last_viewed_product",
            "type",
            "string",
            "enrichments",
            List.of(
                Map.of(
                    "when",
                    "event.event == 'Product Viewed'",
                    "op",
                    "set",
                    "value",
                    "event.properties.product_id"))));
    Map<String, Object> visitor = Map.of("userId", "shopper-" + uid());
    String identifier = "user_id:" + visitor.get("userId");
    cdp.track(visitor, "Session Started", Map.of());
    cdp.awaitProfile(identifier, "the shopper's profile", p -> true);

    // What a personalization call sees: the time from the collector's 200 to the lookup answering
    // with the event applied. Printed, not asserted tightly: the machine is shared.
    List<Long> millis = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String product = "sku-" + i;
      cdp.track(visitor, "Product Viewed", Map.of("product_id", product));
      long accepted = System.nanoTime();
      await(
          "the lookup to show " + product,
          Duration.ofSeconds(30),
          Duration.ofMillis(5),
          () -> cdp.profile(identifier),
          r ->
              r.statusCode() == 200
                  && product.equals(r.jsonPath().getString("attributes.last_viewed_product")));
      millis.add((System.nanoTime() - accepted) / 1_000_000);
    }
    System.out.println("Event accepted -> profile lookup reflects it, ms: " + millis);
  }

  @Test
  void deniedConsentSuppressesTheDeliveryAndGrantedConsentLetsTheNextOneThrough() {
    String userId = "consenting-" + uid();
    String path = "/ads-" + uid();
    String connector = checkoutAdConnector(userId, path);
    Map<String, Object> visitor = Map.of("userId", userId);

    cdp.put(
        SuiteService.CONSENT,
        "/v1/consent/user_id:" + userId,
        Map.of("purposes", Map.of("advertising", false)));
    cdp.track(visitor, "Checkout Started", Map.of("step", 1));
    await(
        "the delivery to be suppressed",
        () -> statuses(connector),
        statuses -> statuses.equals(List.of("suppressed")));
    assertEquals(List.of(), suite.webhooks().at(path), "a denied purpose sends nothing");

    cdp.put(
        SuiteService.CONSENT,
        "/v1/consent/user_id:" + userId,
        Map.of("purposes", Map.of("advertising", true)));
    cdp.track(visitor, "Checkout Started", Map.of("step", 2));
    List<Received> received =
        await("the granted delivery", () -> suite.webhooks().at(path), r -> !r.isEmpty());
    assertEquals(userId, received.get(0).json().at("/data/userId").asText());
    await(
        "the log to show both",
        () -> statuses(connector),
        statuses ->
            statuses.size() == 2
                && statuses.containsAll(List.of("suppressed", "delivered"))
                && suite.webhooks().at(path).size() == 1);
  }

  @Test
  void consentCarriedInAnEventIsEnforcedOnTheNextActivation() {
    String userId = "banner-" + uid();
    String path = "/ads-" + uid();
    String connector = checkoutAdConnector(userId, path);
    // An earlier "yes" through the API, so only the event's "no" can suppress the delivery.
    cdp.put(
        SuiteService.CONSENT,
        "/v1/consent/user_id:" + userId,
        Map.of("purposes", Map.of("advertising", true)));

    // The visitor says no in the consent banner (Segment's consent context), then checks out.
    consentBanner(userId, false);
    cdp.track(Map.of("userId", userId), "Checkout Started", Map.of("step", 1));
    await(
        "the delivery to be suppressed",
        () -> statuses(connector),
        statuses -> statuses.equals(List.of("suppressed")));
    assertEquals(List.of(), suite.webhooks().at(path), "a withdrawn purpose sends nothing");

    consentBanner(userId, true);
    cdp.track(Map.of("userId", userId), "Checkout Started", Map.of("step", 2));
    await("the delivery after the new yes", () -> suite.webhooks().at(path), r -> r.size() == 1);
  }

  @Test
  void declaredTraitsPutTheVisitorInAnAudienceThatAWebhookReceives() {
    String audience =
        cdp.createAudience(
            "Prefers SMS",
            "has(profile.traits.preferred_channel) && profile.traits.preferred_channel == 'sms'");
    String path = "/sms-" + uid();
    audienceWebhook(
        "SMS campaigns",
        path,
        audience,
        "joined",
        List.of(),
        Map.of("channel", "profile.traits.preferred_channel", "audienceName", "audience.name"));

    String userId = "zero-party-" + uid();
    cdp.identify(Map.of("userId", userId), Map.of("preferred_channel", "sms"));

    String profileId = profileId("user_id:" + userId);
    Received delivery = awaitDelivery(path, profileId);
    JsonNode body = delivery.json();
    assertEquals("joined", body.at("/trigger/on").asText());
    assertEquals(audience, body.at("/audience/id").asText());
    assertEquals("sms", body.at("/data/channel").asText());
    assertEquals("Prefers SMS", body.at("/data/audienceName").asText());
    assertTrue(
        cdp.get(SuiteService.AUDIENCE, "/v1/memberships/user_id:" + userId)
            .jsonPath()
            .getList("audiences.id")
            .contains(audience));
  }

  @Test
  void joiningAnAudienceSendsAnEmailToTheMappedAddress() throws Exception {
    String audience =
        cdp.createAudience(
            "Premium members", "has(profile.traits.plan) && profile.traits.plan == 'premium'");
    createConnector(
        Map.of(
            "name",
            "Welcome mail",
            "type",
            "email",
            "config",
            Map.of("recipientField", "to", "subject", "Welcome to premium"),
            "trigger",
            Map.of("audience", audience, "on", "joined"),
            "mapping",
            Map.of("to", "profile.traits.email", "firstName", "profile.traits.first_name")));

    String email = "mia." + uid() + "@example.com";
    cdp.identify(
        Map.of("userId", "mail-" + uid()),
        Map.of("email", email, "first_name", "Mia", "plan", "premium"));

    MimeMessage mail =
        await("a mail to " + email, () -> mailsTo(email), mails -> !mails.isEmpty()).get(0);
    assertEquals("Welcome to premium", mail.getSubject());
    assertTrue(String.valueOf(mail.getContent()).contains("\"firstName\":\"Mia\""));
  }

  @Test
  void identifyWithNewTraitsUpdatesTheCrmWithASignedDelivery() throws Exception {
    String userId = "crm-" + uid();
    String path = "/crm-" + uid();
    JsonPath connector =
        createConnector(
            Map.of(
                "name",
                "CRM",
                "type",
                "webhook",
                "config",
                Map.of("url", suite.webhooks().url(path)),
                "trigger",
                Map.of("event", "event.type == 'identify' && event.userId == '" + userId + "'"),
                "mapping",
                Map.of("company", "event.traits.company", "title", "event.traits.title")));
    String secret = connector.getString("secret");
    assertNotNull(secret, "the secret is shown at creation");

    cdp.identify(
        Map.of("userId", userId),
        Map.of("email", "cto." + uid() + "@acme.example", "company", "Acme", "title", "CTO"));

    Received delivery =
        await("the CRM update", () -> suite.webhooks().at(path), r -> !r.isEmpty()).get(0);
    JsonNode data = delivery.json().get("data");
    assertEquals("Acme", data.get("company").asText());
    assertEquals("CTO", data.get("title").asText());
    assertEquals(
        "sha256=" + hmacSha256Hex(secret, delivery.body()),
        delivery.header("X-CDP-Signature"),
        "the signature is the HMAC of the body with the connector's secret");
    assertNotNull(delivery.header("X-CDP-Delivery-Id"));
  }

  @Test
  void aPurchaseMovesTheVisitorOutOfTheRetargetingAudience() {
    counter("carts_started", "Product Added");
    counter("purchases", "Order Completed");
    String audience =
        cdp.createAudience(
            "Cart but no purchase",
            "has(profile.attributes.carts_started) && profile.attributes.carts_started > 0"
                + " && !has(profile.attributes.purchases)");
    String path = "/ads-suppression-" + uid();
    audienceWebhook(
        "Ad platform suppression",
        path,
        audience,
        "left",
        List.of(),
        Map.of("audience", "audience.name"));

    String userId = "cart-" + uid();
    Map<String, Object> visitor = Map.of("userId", userId);
    cdp.track(visitor, "Product Added", Map.of("product_id", "sku-9"));
    await(
        "the visitor in the audience",
        () -> cdp.get(SuiteService.AUDIENCE, "/v1/memberships/user_id:" + userId),
        r -> r.statusCode() == 200 && r.jsonPath().getList("audiences.id").contains(audience));
    assertEquals(List.of(), suite.webhooks().at(path), "nothing left yet");

    cdp.track(visitor, "Order Completed", Map.of("revenue", 12));
    Received left = awaitDelivery(path, profileId("user_id:" + userId));
    assertEquals("left", left.json().at("/trigger/on").asText());
    assertEquals(audience, left.json().at("/audience/id").asText());
  }

  @Test
  void anAbandonedCartJoinsTheRetargetingAudienceLaterWithoutAnotherEvent() {
    cdp.createAttribute(
        Map.of(
            "name",
            "last_cart_at",
            "type",
            "date",
            "enrichments",
            List.of(
                Map.of("when", "event.event == 'Product Added'", "op", "set", "value", "now"))));
    String audience =
        cdp.createAudience(
            "Cart abandoned for 5 s",
            "has(profile.attributes.last_cart_at)"
                + " && now - timestamp(profile.attributes.last_cart_at) > duration('5s')");
    String path = "/retargeting-" + uid();
    audienceWebhook(
        "Retargeting",
        path,
        audience,
        "joined",
        List.of(),
        Map.of("cartAt", "profile.attributes.last_cart_at"));

    String userId = "abandoner-" + uid();
    long sent = System.nanoTime(); // before the collector stamps the event's time
    cdp.track(Map.of("userId", userId), "Product Added", Map.of("product_id", "sku-3"));

    // No further event: time alone moves the visitor in.
    Received joined = awaitDelivery(path, profileId("user_id:" + userId));
    long waited = (System.nanoTime() - sent) / 1_000_000;
    assertTrue(waited >= 5_000, "joined only once the cart was 5 s old, after " + waited + " ms");
    assertEquals("joined", joined.json().at("/trigger/on").asText());
  }

  @Test
  void anAnonymousVisitorJoinsAnAudienceAndIsActivated() {
    counter("pricing_page_views", null);
    String audience =
        cdp.createAudience(
            "Anonymous pricing researchers",
            "has(profile.attributes.pricing_page_views)"
                + " && profile.attributes.pricing_page_views >= 2");
    String path = "/anonymous-" + uid();
    audienceWebhook(
        "On-site offer",
        path,
        audience,
        "joined",
        List.of(),
        Map.of("views", "profile.attributes.pricing_page_views"));

    String anonymousId = "visitor-" + uid();
    Map<String, Object> visitor = Map.of("anonymousId", anonymousId);
    cdp.send("page", with(visitor, "name", "Pricing"));
    cdp.send("page", with(visitor, "name", "Pricing"));

    JsonPath profile =
        cdp.awaitProfile(
            "anonymous_id:" + anonymousId,
            "two pricing views",
            p -> Objects.equals(number(p, "attributes.pricing_page_views"), 2.0));
    assertEquals(List.of("anonymous_id:" + anonymousId), profile.getList("identifiers"));
    Received joined = awaitDelivery(path, profile.getString("profileId"));
    assertEquals(2.0, joined.json().at("/data/views").asDouble());
  }

  @Test
  void anErasedPersonIsGoneEverywhereAndLaterEventsAreDropped() {
    String userId = "erased-" + uid();
    String anonymousId = "erased-device-" + uid();
    String email = "eve." + uid() + "@example.com";
    List<String> identifiers =
        List.of("user_id:" + userId, "anonymous_id:" + anonymousId, "email:" + email);
    String audience =
        cdp.createAudience(
            "Newsletter readers",
            "has(profile.traits.newsletter) && profile.traits.newsletter == true");
    String path = "/erasure-" + uid();
    String connector =
        audienceWebhook(
                "Newsletter tool",
                path,
                audience,
                "joined",
                List.of(),
                Map.of("email", "profile.traits.email"))
            .getString("id");

    cdp.identify(
        Map.of("userId", userId, "anonymousId", anonymousId),
        Map.of("email", email, "newsletter", true));
    cdp.put(
        SuiteService.CONSENT,
        "/v1/consent/email:" + email,
        Map.of("purposes", Map.of("email", true)));
    String profileId = profileId("user_id:" + userId);
    awaitDelivery(path, profileId);
    await(
        "the delivery logged",
        () -> statuses(connector),
        statuses -> statuses.equals(List.of("delivered")));

    String erasure =
        cdp.post(
                SuiteService.CONSENT,
                "/v1/privacy/erasures",
                Map.of("identifier", "email:" + email),
                202)
            .getString("id");
    JsonPath done =
        await(
                "the erasure to complete",
                () -> cdp.get(SuiteService.CONSENT, "/v1/privacy/erasures/" + erasure),
                r -> "completed".equals(r.jsonPath().getString("status")))
            .jsonPath();
    Map<String, Map<String, Object>> services = done.getMap("services");
    for (String service :
        List.of(
            "identity-service",
            "profile-service",
            "audience-service",
            "consent-service",
            "connector-service")) {
      assertEquals("erased", services.get(service).get("status"), service + ": " + services);
    }

    for (String identifier : identifiers) {
      assertEquals(404, cdp.profile(identifier).statusCode(), "profile of " + identifier);
      assertEquals(
          Map.of(),
          cdp.get(SuiteService.CONSENT, "/v1/consent/" + identifier).jsonPath().getMap("explicit"),
          "explicit consent of " + identifier);
      var memberships = cdp.get(SuiteService.AUDIENCE, "/v1/memberships/" + identifier);
      assertTrue(
          memberships.statusCode() == 404 || memberships.jsonPath().getList("audiences").isEmpty(),
          "memberships of " + identifier + ": " + memberships.asString());
    }
    List<String> connectors =
        cdp.get(SuiteService.CONNECTOR, "/v1/connectors").jsonPath().getList("id");
    for (String id : connectors) {
      assertTrue(
          cdp.deliveries(id).stream().noneMatch(d -> profileId.equals(d.get("profileId"))),
          "deliveries of connector " + id + " for the erased profile");
    }

    // The erased email comes back on a new device; then an event of that device without it, which
    // Kafka orders after the first (same key): once it is applied, the first was handled.
    String newDevice = "new-device-" + uid();
    cdp.identify(Map.of("anonymousId", newDevice), Map.of("email", email, "newsletter", true));
    cdp.track(Map.of("anonymousId", newDevice), "Product Viewed", Map.of("product_id", "sku-5"));
    JsonPath control =
        cdp.awaitProfile("anonymous_id:" + newDevice, "the control event's profile", p -> true);
    assertEquals(List.of("anonymous_id:" + newDevice), control.getList("identifiers"));
    assertNull(control.get("traits.email"), "the erased person's event was dropped");
    assertEquals(404, cdp.profile("email:" + email).statusCode(), "the erased email");
  }

  @Test
  void oneEventIsOneTraceThroughAllSixServices() {
    String userId = "traced-" + uid();
    String audience =
        cdp.createAudience(
            "Trace probe " + userId,
            "has(profile.traits.probe) && profile.traits.probe == '" + userId + "'");
    String path = "/traced-" + uid();
    // The purpose makes the delivery ask the consent service too
    audienceWebhook(
        "Traced destination",
        path,
        audience,
        "joined",
        List.of("advertising"),
        Map.of("probe", "profile.traits.probe"));
    cdp.put(
        SuiteService.CONSENT,
        "/v1/consent/user_id:" + userId,
        Map.of("purposes", Map.of("advertising", true)));

    // The client starts the trace (W3C trace context), as an instrumented web app would.
    String traceId = HexFormat.of().formatHex(randomBytes(16));
    String traceparent = "00-" + traceId + "-" + HexFormat.of().formatHex(randomBytes(8)) + "-01";
    cdp.send(
        "identify",
        Map.of("userId", userId, "traits", Map.of("probe", userId)),
        Map.of("traceparent", traceparent));
    Received delivery = awaitDelivery(path, profileId("user_id:" + userId));

    // The destination's request carries the trace on (W3C traceparent); the spans of both traces,
    // by service, make a failure say where the trace broke.
    String deliveryTraceparent = String.valueOf(delivery.header("traceparent"));
    String deliveryTraceId =
        deliveryTraceparent.length() > 35 ? deliveryTraceparent.substring(3, 35) : "";
    List<String> six = SuiteService.all().stream().map(SuiteService::module).toList();
    await(
        "spans from " + six + " in the event's trace, which the delivery continues",
        () ->
            Map.of("event trace", spanNames(traceId), "delivery trace", spanNames(deliveryTraceId)),
        traces -> traces.get("event trace").keySet().containsAll(six));
    assertEquals(traceId, deliveryTraceId, "the trace the webhook request continues");
  }

  /** The span names of a trace by service, from what the OTLP receiver got so far. */
  private static Map<String, List<String>> spanNames(String traceId) {
    return suite.traces().trace(traceId).stream()
        .collect(
            Collectors.groupingBy(
                OtlpReceiver.Span::service,
                TreeMap::new,
                Collectors.mapping(OtlpReceiver.Span::name, Collectors.toList())));
  }

  // --- helpers -------------------------------------------------------------------------------

  /** A number attribute counting {@code event}s (tracks), or {@code Pricing} pages when null. */
  private static void counter(String name, String event) {
    String when =
        event == null
            ? "event.type == 'page' && event.name == 'Pricing'"
            : "event.event == '" + event + "'";
    cdp.createAttribute(
        Map.of(
            "name",
            name,
            "type",
            "number",
            "enrichments",
            List.of(Map.of("when", when, "op", "increment", "value", "1"))));
  }

  /**
   * A webhook connector for an ad platform, fired by {@code userId}'s {@code Checkout Started}
   * events and needing the {@code advertising} purpose; returns its id.
   */
  private static String checkoutAdConnector(String userId, String path) {
    return createConnector(
            Map.of(
                "name",
                "Ad platform",
                "type",
                "webhook",
                "config",
                Map.of("url", suite.webhooks().url(path)),
                "trigger",
                Map.of(
                    "event",
                    "event.event == 'Checkout Started' && event.userId == '" + userId + "'"),
                "purposes",
                List.of("advertising"),
                "mapping",
                Map.of("userId", "event.userId")))
        .getString("id");
  }

  /** A track event carrying the visitor's choice for Segment's {@code Advertising} category. */
  private static void consentBanner(String userId, boolean advertising) {
    cdp.send(
        "track",
        Map.of(
            "userId",
            userId,
            "event",
            "Consent Preferences Updated",
            "context",
            Map.of("consent", Map.of("categoryPreferences", Map.of("Advertising", advertising)))));
  }

  /**
   * A webhook connector to the receiver's {@code path}, fired by {@code on} transitions of {@code
   * audience}, needing {@code purposes}, sending {@code mapping}; answers its creation.
   */
  private static JsonPath audienceWebhook(
      String name,
      String path,
      String audience,
      String on,
      List<String> purposes,
      Map<String, String> mapping) {
    return createConnector(
        Map.of(
            "name",
            name,
            "type",
            "webhook",
            "config",
            Map.of("url", suite.webhooks().url(path)),
            "trigger",
            Map.of("audience", audience, "on", on),
            "purposes",
            purposes,
            "mapping",
            mapping));
  }

  private static JsonPath createConnector(Map<String, Object> definition) {
    return cdp.create(SuiteService.CONNECTOR, "/v1/connectors", definition);
  }

  private static String profileId(String identifier) {
    return cdp.awaitProfile(identifier, "the profile", p -> true).getString("profileId");
  }

  private static List<String> statuses(String connectorId) {
    return cdp.deliveries(connectorId).stream().map(d -> (String) d.get("status")).toList();
  }

  /** Waits for the first webhook at {@code path} about {@code profileId}. */
  private static Received awaitDelivery(String path, String profileId) {
    return await(
            "a delivery to " + path + " for " + profileId,
            () ->
                suite.webhooks().at(path).stream()
                    .filter(r -> profileId.equals(r.json().path("profileId").asText()))
                    .toList(),
            received -> !received.isEmpty())
        .get(0);
  }

  private static List<MimeMessage> mailsTo(String address) {
    return Arrays.stream(suite.smtp().getReceivedMessages())
        .filter(
            m -> {
              try {
                return Arrays.stream(m.getAllRecipients())
                    .anyMatch(r -> r.toString().equalsIgnoreCase(address));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            })
        .toList();
  }

  /** The number at {@code path}, as a double; null when it is not there (yet). */
  private static Double number(JsonPath json, String path) {
    return json.get(path) instanceof Number n ? n.doubleValue() : null;
  }

  private static Map<String, Object> with(Map<String, Object> identity, String key, Object value) {
    Map<String, Object> body = new HashMap<>(identity);
    body.put(key, value);
    return body;
  }

  private static String hmacSha256Hex(String secret, byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body));
  }

  private static byte[] randomBytes(int count) {
    byte[] bytes = new byte[count];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }

  private static String uid() {
    return UUID.randomUUID().toString().substring(0, 8);
  }
}
