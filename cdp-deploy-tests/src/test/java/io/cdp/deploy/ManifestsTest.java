package io.cdp.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The strict parser is what makes the render tests mean something: it must refuse mistakes. */
class ManifestsTest {

  private static final String DEPLOYMENT =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: cdp-profile
      spec:
        selector:
          matchLabels: {app: profile}
        template:
          metadata:
            labels: {app: profile}
          spec:
            containers:
              - name: profile-service
                image: cdp-profile-service:1
                %s
      """;

  @Test
  void aValidObjectParses() {
    assertEquals(1, Manifests.parseStrict(DEPLOYMENT.formatted("")).size());
  }

  @Test
  void aMisspelledFieldDeepInsideIsRejectedWithItsPath() {
    var error =
        assertThrows(
            AssertionError.class,
            () ->
                Manifests.parseStrict(
                    DEPLOYMENT.formatted("livenesProbe: {httpGet: {path: /q/health/live}}")));
    assertTrue(
        error.getMessage().contains("spec.template.spec.containers[0].livenesProbe"),
        error.getMessage());
  }

  @Test
  void aValueOfTheWrongTypeIsRejected() {
    assertThrows(
        AssertionError.class,
        () -> Manifests.parseStrict(DEPLOYMENT.replace("selector:", "replicas: two\n  selector:")));
  }

  @Test
  void anUnknownKindIsRejected() {
    var error =
        assertThrows(
            AssertionError.class,
            () ->
                Manifests.parseStrict(
                    "apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: x}\n"));
    assertTrue(error.getMessage().contains("unknown kind"), error.getMessage());
  }
}
