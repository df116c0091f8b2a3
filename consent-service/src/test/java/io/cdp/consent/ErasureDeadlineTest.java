package io.cdp.consent;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.notNullValue;

import io.cdp.contracts.Topics;
import io.cdp.contracts.consent.v1.PrivacyRequest;
import io.cdp.contracts.kafka.Deserializers;
import io.cdp.localstack.KafkaProbe;
import io.cdp.localstack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** An erasure some services never answer: published again while pending, then failed. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
@TestProfile(ErasureDeadlineTest.ShortDeadline.class)
class ErasureDeadlineTest {

  public static class ShortDeadline implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("cdp.privacy.resend-after", "1s", "cdp.privacy.deadline", "6s");
    }
  }

  @Test
  void aRequestNotEveryServiceAnsweredIsSentAgainThenFailsNamingThem() {
    String email = "email:" + UUID.randomUUID() + "@example.com";
    String id = ErasureTest.erase(email).statusCode(202).extract().path("id");

    AtomicInteger seen = new AtomicInteger();
    KafkaProbe.ofTestStack()
        .await(
            Topics.PRIVACY_REQUESTS,
            new Deserializers.PrivacyRequestDeserializer(),
            (PrivacyRequest request) ->
                request.getRequestId().equals(id) && seen.incrementAndGet() == 2,
            Duration.ofSeconds(30));

    ErasureTest.awaitStatus(id, "status", "failed");
    ErasureTest.erasureOf(id)
        .body("finishedAt", notNullValue())
        .body(
            "reason",
            containsString(
                "no answer from audience-service, connector-service, identity-service,"
                    + " profile-service"))
        .body("services.consent-service.status", org.hamcrest.Matchers.equalTo("erased"));
  }
}
