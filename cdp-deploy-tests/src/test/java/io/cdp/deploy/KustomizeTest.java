package io.cdp.deploy;

import static io.cdp.deploy.Manifests.SERVICES;
import static io.cdp.deploy.Manifests.forService;
import static io.cdp.deploy.Manifests.ofKind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Renders k8s/ with `kubectl kustomize` (skipped where kubectl is absent) and checks it. */
class KustomizeTest {

  private static final List<String> STREAM_STAGES =
      List.of("identity", "profile", "audience", "connector");

  @BeforeEach
  void kubectlIsOnThePath() {
    boolean found =
        Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            .anyMatch(dir -> Files.isExecutable(Path.of(dir, "kubectl")));
    Assumptions.assumeTrue(found, "kubectl is not on the PATH");
  }

  static List<HasMetadata> kustomize(String dir) throws IOException, InterruptedException {
    Path target = Manifests.repoRoot().resolve(dir);
    Process process =
        new ProcessBuilder("kubectl", "kustomize", target.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize finished");
    assertEquals(0, process.exitValue(), "kubectl kustomize " + dir + ":\n" + output);
    return Manifests.parseStrict(output);
  }

  @ParameterizedTest
  @ValueSource(strings = {"k8s/base", "k8s/overlays/dev", "k8s/overlays/prod"})
  void everyServiceHasAHardenedDeploymentServiceHpaAndPdbNamedAfterIt(String dir) throws Exception {
    List<HasMetadata> objects = kustomize(dir);
    Manifests.assertHardenedWorkloads(objects);
  }

  @ParameterizedTest
  @ValueSource(strings = {"k8s/base", "k8s/overlays/dev"})
  void networkPoliciesAllowTheDocumentedFlowsAndNoOthers(String dir) throws Exception {
    assertEquals(Manifests.documentedFlows(), Manifests.allowedFlows(kustomize(dir)));
  }

  @Test
  void productionAddsOnlyTracesToTheAllowedFlows() throws Exception {
    Set<String> expected = Manifests.documentedFlows();
    for (String s : SERVICES) {
      expected.add("out " + s + " -> ns:observability :4317/TCP");
    }
    assertEquals(expected, Manifests.allowedFlows(kustomize("k8s/overlays/prod")));
  }

  @Test
  void devRunsOneSmallReplicaWithGeneratedCredentials() throws Exception {
    List<HasMetadata> objects = kustomize("k8s/overlays/dev");
    objects.forEach(o -> assertEquals("cdp-dev", o.getMetadata().getNamespace(), o.getKind()));
    String secret = ofKind(objects, Secret.class).get(0).getMetadata().getName();
    assertTrue(secret.startsWith("cdp-secrets-"), "hashed generated Secret: " + secret);
    for (String service : SERVICES) {
      HorizontalPodAutoscaler hpa = forService(objects, HorizontalPodAutoscaler.class, service);
      assertEquals(1, hpa.getSpec().getMinReplicas());
      assertEquals(2, hpa.getSpec().getMaxReplicas());
      assertEquals(
          0,
          forService(objects, PodDisruptionBudget.class, service)
              .getSpec()
              .getMinAvailable()
              .getIntVal());
      var container =
          forService(objects, Deployment.class, service)
              .getSpec()
              .getTemplate()
              .getSpec()
              .getContainers()
              .get(0);
      assertTrue(container.getImage().endsWith("cdp-" + service + "-service:dev"));
      // The Deployments follow the generated Secret's hashed name.
      assertTrue(
          container.getEnv().stream()
              .filter(e -> e.getValueFrom() != null)
              .allMatch(e -> e.getValueFrom().getSecretKeyRef().getName().equals(secret)),
          service);
    }
  }

  @Test
  void prodPinsImagesAndKeepsStreamStagesWithinTheirPartitions() throws Exception {
    List<HasMetadata> objects = kustomize("k8s/overlays/prod");
    objects.forEach(o -> assertEquals("cdp", o.getMetadata().getNamespace(), o.getKind()));
    assertTrue(ofKind(objects, Secret.class).isEmpty(), "no credentials in the manifests");
    for (String service : SERVICES) {
      String image =
          forService(objects, Deployment.class, service)
              .getSpec()
              .getTemplate()
              .getSpec()
              .getContainers()
              .get(0)
              .getImage();
      assertEquals("registry.example.com/cdp/cdp-" + service + "-service:0.1.0", image);
    }
    for (String stage : STREAM_STAGES) {
      assertTrue(
          forService(objects, HorizontalPodAutoscaler.class, stage).getSpec().getMaxReplicas()
              <= 12,
          stage + " scales within the 12 partitions of its topic");
    }
    assertEquals(
        30,
        forService(objects, HorizontalPodAutoscaler.class, "collector").getSpec().getMaxReplicas());
  }
}
