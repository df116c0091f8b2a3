package io.cdp.deploy;

import static io.cdp.deploy.Manifests.SERVICES;
import static io.cdp.deploy.Manifests.custom;
import static io.cdp.deploy.Manifests.forService;
import static io.cdp.deploy.Manifests.name;
import static io.cdp.deploy.Manifests.ofKind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.cdp.contracts.Topics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Renders helm/cdp with the real Helm engine (helm-java) and checks what a cluster would get. */
class HelmChartTest {

  private static final Path CHART = Manifests.repoRoot().resolve("helm/cdp");
  private static final Path PRODUCTION =
      Path.of("src/test/resources/values-production.yaml").toAbsolutePath();
  private static final List<String> STREAM_STAGES =
      List.of("identity", "profile", "audience", "connector");

  private static String render(UnaryOperator<TemplateCommand> values) {
    return values
        .apply(
            new Helm(CHART)
                .template()
                .withName("cdp")
                .withNamespace("cdp")
                .withKubeVersion("1.32.0"))
        .call();
  }

  private static List<HasMetadata> renderDefault() {
    return Manifests.parseStrict(render(t -> t));
  }

  private static List<HasMetadata> renderProduction() {
    return Manifests.parseStrict(render(t -> t.withValuesFile(PRODUCTION)));
  }

  @Test
  void chartPassesStrictLint() {
    LintResult lint = new Helm(CHART).lint().strict().call();
    assertFalse(lint.isFailed(), "helm lint --strict: " + lint.getMessages());
  }

  @Test
  void defaultValuesRenderHardenedWorkloadsForEveryService() {
    List<HasMetadata> objects = renderDefault();
    Manifests.assertHardenedWorkloads(objects);
    for (String service : SERVICES) {
      ServiceAccount account = forService(objects, ServiceAccount.class, service);
      Deployment deployment = forService(objects, Deployment.class, service);
      assertEquals(
          name(account), deployment.getSpec().getTemplate().getSpec().getServiceAccountName());
      forService(objects, NetworkPolicy.class, service);
    }
    // Optional objects stay off by default.
    assertTrue(ofKind(objects, Ingress.class).isEmpty());
    assertTrue(custom(objects, "ServiceMonitor").isEmpty());
    assertTrue(custom(objects, "KafkaTopic").isEmpty());
    assertTrue(custom(objects, "Cache").isEmpty());
  }

  @Test
  void productionValuesRenderHardenedWorkloadsAndEveryOptionalObject() throws IOException {
    List<HasMetadata> objects = renderProduction();
    Manifests.assertHardenedWorkloads(objects);
    assertEquals(6, custom(objects, "ServiceMonitor").size());
    for (GenericKubernetesResource monitor : custom(objects, "ServiceMonitor")) {
      assertEquals("kube-prometheus-stack", monitor.getMetadata().getLabels().get("release"));
      List<Map<String, Object>> endpoints = monitor.get("spec", "endpoints");
      assertEquals("/q/metrics", endpoints.get(0).get("path"));
      assertEquals("http", endpoints.get(0).get("port"));
    }
    // Exactly the caches the services declare, bounded (and off the heap) where a service says so.
    Map<String, GenericKubernetesResource> caches = new TreeMap<>();
    custom(objects, "Cache").forEach(c -> caches.put(c.get("spec", "name"), c));
    Map<String, String> declared = declaredCaches();
    assertEquals(
        declared.keySet(),
        caches.keySet(),
        "helm/cdp values.yaml `caches` must list every cache the services declare");
    declared.forEach(
        (cache, configuration) -> {
          GenericKubernetesResource cr = caches.get(cache);
          assertEquals("prod-infinispan", cr.get("spec", "clusterName"));
          String template = cr.get("spec", "template");
          assertTrue(template.contains("mediaType: application/x-protostream"), template);
          assertEquals(
              configuration.contains("max-count"),
              template.contains("maxCount:"),
              cache + ": bounded in the chart as in its service");
          assertEquals(
              configuration.contains("OFF_HEAP"),
              template.contains("storage: OFF_HEAP"),
              cache + ": off the heap in the chart as in its service");
        });
  }

  /** Cache name to configuration, from every service's application.properties. */
  private static Map<String, String> declaredCaches() throws IOException {
    Pattern cache =
        Pattern.compile(
            "(?m)^quarkus\\.infinispan-client\\.cache\\.([\\w-]+)\\.configuration=(.*)$");
    Map<String, String> declared = new TreeMap<>();
    for (String service : SERVICES) {
      Path properties =
          Manifests.repoRoot()
              .resolve(service + "-service/src/main/resources/application.properties");
      Matcher m = cache.matcher(Files.readString(properties));
      while (m.find()) {
        declared.put(m.group(1), m.group(2));
      }
    }
    return declared;
  }

  @Test
  void kafkaTopicsHaveThePlannedPartitionsAndConsentChangesAreCompacted() {
    List<GenericKubernetesResource> topics = custom(renderProduction(), "KafkaTopic");
    Map<String, GenericKubernetesResource> byName = new TreeMap<>();
    topics.forEach(t -> byName.put(t.get("spec", "topicName"), t));
    // Exactly the suite's topics, compacted where the contracts say so.
    assertEquals(
        Topics.ALL.stream().map(Topics.TopicSpec::name).collect(Collectors.toSet()),
        byName.keySet());
    for (Topics.TopicSpec spec : Topics.ALL) {
      assertEquals(
          spec.compacted() ? "compact" : null,
          byName.get(spec.name()).get("spec", "config", "cleanup.policy"),
          spec.name());
    }
    for (GenericKubernetesResource topic : topics) {
      assertEquals("prod-kafka", topic.getMetadata().getLabels().get("strimzi.io/cluster"));
      assertEquals(24, ((Number) topic.get("spec", "partitions")).intValue());
      assertEquals(3, ((Number) topic.get("spec", "replicas")).intValue());
    }
  }

  @Test
  void eachServiceTakesReplicasAndAutoscalingFromItsOwnBlock() {
    // Distinct numbers per service, so a template reading the wrong block cannot pass.
    List<HasMetadata> scaled =
        Manifests.parseStrict(
            render(
                t -> {
                  for (int i = 0; i < SERVICES.size(); i++) {
                    String block = "services." + SERVICES.get(i) + ".autoscaling.";
                    t.set(block + "minReplicas", 2 + i).set(block + "maxReplicas", 5 + i);
                    t.set(block + "targetCPUUtilizationPercentage", 50 + i);
                  }
                  return t;
                }));
    List<HasMetadata> fixed =
        Manifests.parseStrict(
            render(
                t -> {
                  for (int i = 0; i < SERVICES.size(); i++) {
                    String block = "services." + SERVICES.get(i) + ".";
                    t.set(block + "autoscaling.enabled", false).set(block + "replicaCount", 1 + i);
                  }
                  return t;
                }));
    assertTrue(ofKind(fixed, HorizontalPodAutoscaler.class).isEmpty());
    for (int i = 0; i < SERVICES.size(); i++) {
      String service = SERVICES.get(i);
      HorizontalPodAutoscaler hpa = forService(scaled, HorizontalPodAutoscaler.class, service);
      assertEquals(2 + i, hpa.getSpec().getMinReplicas(), service);
      assertEquals(5 + i, hpa.getSpec().getMaxReplicas(), service);
      assertEquals(
          50 + i,
          hpa.getSpec().getMetrics().get(0).getResource().getTarget().getAverageUtilization());
      assertEquals(
          name(forService(scaled, Deployment.class, service)),
          hpa.getSpec().getScaleTargetRef().getName());
      assertNull(forService(scaled, Deployment.class, service).getSpec().getReplicas(), service);
      assertEquals(1 + i, forService(fixed, Deployment.class, service).getSpec().getReplicas());
    }
  }

  @Test
  void streamStagesAlsoScaleOnTheirConsumerGroupsKafkaLag() {
    List<HasMetadata> objects = renderProduction();
    for (String service : STREAM_STAGES) {
      HorizontalPodAutoscaler hpa = forService(objects, HorizontalPodAutoscaler.class, service);
      MetricSpec lag =
          hpa.getSpec().getMetrics().stream()
              .filter(m -> m.getType().equals("External"))
              .findFirst()
              .orElseThrow(() -> new AssertionError(service + " has no Kafka-lag metric"));
      assertEquals("kafka_consumergroup_lag", lag.getExternal().getMetric().getName());
      assertEquals(
          Map.of("consumergroup", service + "-service"),
          lag.getExternal().getMetric().getSelector().getMatchLabels());
    }
    HorizontalPodAutoscaler collector =
        forService(objects, HorizontalPodAutoscaler.class, "collector");
    assertEquals(1, collector.getSpec().getMetrics().size(), "the collector scales on CPU only");
  }

  @Test
  void aStreamStageCannotScaleBeyondItsTopicsPartitions() {
    var error =
        assertThrows(
            IllegalStateException.class,
            () -> render(t -> t.set("services.profile.autoscaling.maxReplicas", 13)));
    assertTrue(
        error.getMessage().contains("services.profile.autoscaling.maxReplicas (13) exceeds")
            && error.getMessage().contains("kafka.topics.partitions (12)"),
        error.getMessage());
  }

  @Test
  void schemaRejectsAWrongValueWithAMessageNamingIt() {
    var wrongType =
        assertThrows(
            IllegalStateException.class,
            () -> render(t -> t.set("services.profile.replicaCount", "two")));
    assertTrue(
        wrongType.getMessage().contains("values don't meet the specifications of the schema")
            && wrongType.getMessage().contains("/services/profile/replicaCount")
            && wrongType.getMessage().contains("want integer"),
        wrongType.getMessage());

    var typo =
        assertThrows(
            IllegalStateException.class, () -> render(t -> t.set("services.profile.replicas", 3)));
    assertTrue(
        typo.getMessage().contains("/services/profile")
            && typo.getMessage().contains("additional properties 'replicas' not allowed"),
        typo.getMessage());

    var noLimits =
        assertThrows(
            IllegalStateException.class,
            () -> render(t -> t.set("services.audience.resources.limits", null)));
    assertTrue(noLimits.getMessage().contains("limits"), noLimits.getMessage());
  }

  @Test
  void networkPoliciesAllowTheDocumentedFlowsAndNoOthers() {
    Set<String> expected = Manifests.documentedFlows();
    assertEquals(expected, Manifests.allowedFlows(renderDefault()));

    // Production: Kafka on its TLS listener, and traces to the OTLP collector.
    Set<String> production = new TreeSet<>();
    for (String flow : expected) {
      production.add(flow.replace(":9092/TCP", ":9093/TCP"));
    }
    for (String s : SERVICES) {
      production.add("out " + s + " -> ns:observability :4317/TCP");
    }
    assertEquals(production, Manifests.allowedFlows(renderProduction()));
  }

  @Test
  void connectorReachesProfileAndConsentOverGrpcByServiceName() {
    Deployment connector = forService(renderDefault(), Deployment.class, "connector");
    Map<String, String> env =
        connector.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
            .filter(e -> e.getValue() != null)
            .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    assertEquals("cdp-profile", env.get("QUARKUS_GRPC_CLIENTS_PROFILES_HOST"));
    assertEquals("cdp-consent", env.get("QUARKUS_GRPC_CLIENTS_CONSENT_HOST"));
    assertEquals("9000", env.get("QUARKUS_GRPC_CLIENTS_PROFILES_PORT"));
  }

  @Test
  void consentReachesIdentityProfileAudienceAndConnectorOverGrpcByServiceName() {
    Deployment consent = forService(renderDefault(), Deployment.class, "consent");
    Map<String, String> env =
        consent.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
            .filter(e -> e.getValue() != null)
            .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    assertEquals("cdp-identity", env.get("QUARKUS_GRPC_CLIENTS_IDENTITY_HOST"));
    assertEquals("cdp-profile", env.get("QUARKUS_GRPC_CLIENTS_PROFILES_HOST"));
    assertEquals("cdp-audience", env.get("QUARKUS_GRPC_CLIENTS_AUDIENCE_HOST"));
    assertEquals("cdp-connector", env.get("QUARKUS_GRPC_CLIENTS_CONNECTOR_HOST"));
    assertEquals("9000", env.get("QUARKUS_GRPC_CLIENTS_CONNECTOR_PORT"));
  }

  @Test
  void configComesFromOneConfigMapAndSecretsFromSecrets() {
    List<HasMetadata> objects = renderDefault();
    ConfigMap config = ofKind(objects, ConfigMap.class).get(0);
    assertEquals("8080", config.getData().get("QUARKUS_HTTP_PORT"));
    assertEquals(
        "postgresql://cdp-postgres-rw.postgres.svc:5432/cdp",
        config.getData().get("QUARKUS_DATASOURCE_REACTIVE_URL"));
    assertEquals(
        "cdp-kafka-kafka-bootstrap.kafka.svc:9092",
        config.getData().get("KAFKA_BOOTSTRAP_SERVERS"));
    assertFalse(config.getData().containsKey("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT"));
    // Without a token the chart generates one in a pre-install hook Secret (helm-java's
    // template leaves hooks out, so the reference is what can be checked here).
    for (String service : SERVICES) {
      var ref =
          forService(objects, Deployment.class, service)
              .getSpec()
              .getTemplate()
              .getSpec()
              .getContainers()
              .get(0)
              .getEnv()
              .stream()
              .filter(e -> e.getName().equals("CDP_ADMIN_TOKEN"))
              .findFirst()
              .orElseThrow()
              .getValueFrom()
              .getSecretKeyRef();
      assertEquals("cdp-admin-token/admin-token", ref.getName() + "/" + ref.getKey());
    }
    Secret own = ofKind(objects, Secret.class).get(0);
    assertEquals(
        Set.of("postgresql-username", "postgresql-password"), own.getData().keySet(), "own keys");

    // Production reads every credential from the operators' Secrets.
    List<HasMetadata> production = renderProduction();
    Secret none = ofKind(production, Secret.class).get(0);
    assertTrue(none.getData() == null || none.getData().isEmpty(), "no credentials in the chart");
    for (String service : SERVICES) {
      Map<String, String> secretOf = new TreeMap<>();
      for (EnvVar e :
          forService(production, Deployment.class, service)
              .getSpec()
              .getTemplate()
              .getSpec()
              .getContainers()
              .get(0)
              .getEnv()) {
        if (e.getValueFrom() != null) {
          var ref = e.getValueFrom().getSecretKeyRef();
          secretOf.put(e.getName(), ref.getName() + "/" + ref.getKey());
        }
      }
      assertEquals(
          Map.of(
              "CDP_ADMIN_TOKEN", "cdp-admin/admin-token",
              "QUARKUS_DATASOURCE_USERNAME", "cdp-db-app/username",
              "QUARKUS_DATASOURCE_PASSWORD", "cdp-db-app/password",
              "QUARKUS_INFINISPAN_CLIENT_USERNAME", "prod-infinispan-cdp/username",
              "QUARKUS_INFINISPAN_CLIENT_PASSWORD", "prod-infinispan-cdp/password"),
          secretOf,
          service);
    }
  }

  @Test
  void ingressRoutesEveryPublicPathToTheServiceThatOwnsIt() {
    Ingress ingress = ofKind(renderProduction(), Ingress.class).get(0);
    Map<String, String> routes = new TreeMap<>();
    ingress
        .getSpec()
        .getRules()
        .get(0)
        .getHttp()
        .getPaths()
        .forEach(p -> routes.put(p.getPath(), p.getBackend().getService().getName()));
    Map<String, String> expected = new TreeMap<>();
    for (String path :
        List.of(
            "/v1/sources",
            "/v1/track",
            "/v1/identify",
            "/v1/page",
            "/v1/screen",
            "/v1/group",
            "/v1/alias",
            "/v1/batch",
            "/event",
            "/bulk-event")) {
      expected.put(path, "cdp-collector");
    }
    expected.put("/v1/identities", "cdp-identity");
    expected.put("/v1/attributes", "cdp-profile");
    expected.put("/v1/profiles", "cdp-profile");
    expected.put("/v1/audiences", "cdp-audience");
    expected.put("/v1/memberships", "cdp-audience");
    expected.put("/v1/consent", "cdp-consent");
    expected.put("/v1/privacy", "cdp-consent");
    expected.put("/v1/connectors", "cdp-connector");
    assertEquals(expected, routes);
    assertEquals("cdp-tls", ingress.getSpec().getTls().get(0).getSecretName());
  }

  @Test
  void podDisruptionBudgetsAndImagesComeFromEachServicesBlock() {
    List<HasMetadata> objects = renderProduction();
    Map<String, Integer> minAvailable =
        Map.of(
            "collector",
            2,
            "identity",
            2,
            "profile",
            3,
            "audience",
            1,
            "consent",
            2,
            "connector",
            1);
    Set<String> images = new HashSet<>();
    for (String service : SERVICES) {
      assertEquals(
          minAvailable.get(service),
          forService(objects, PodDisruptionBudget.class, service)
              .getSpec()
              .getMinAvailable()
              .getIntVal(),
          service);
      images.add(
          forService(objects, Deployment.class, service)
              .getSpec()
              .getTemplate()
              .getSpec()
              .getContainers()
              .get(0)
              .getImage());
    }
    assertEquals(
        SERVICES.stream()
            .map(s -> "registry.example.com/cdp/cdp-" + s + "-service:0.1.0")
            .collect(Collectors.toSet()),
        images);
  }

  @Test
  void kustomizeBaseIsTheChartRenderedWithItsValues() throws IOException {
    // k8s/base was generated from the chart; a change to either must reach the other.
    Map<String, JsonNode> chart = new TreeMap<>();
    Path values = Path.of("src/test/resources/values-kustomize-base.yaml").toAbsolutePath();
    for (HasMetadata o : Manifests.parseStrict(render(t -> t.withValuesFile(values)))) {
      if (!(o instanceof Secret)) {
        chart.put(o.getKind() + "/" + name(o), withoutHelmMetadata(o));
      }
    }
    Map<String, JsonNode> base = new TreeMap<>();
    try (var files = Files.list(Manifests.repoRoot().resolve("k8s/base"))) {
      for (Path file : files.filter(f -> !f.endsWith("kustomization.yaml")).toList()) {
        for (HasMetadata o : Manifests.parseStrict(Files.readString(file))) {
          base.put(o.getKind() + "/" + name(o), withoutHelmMetadata(o));
        }
      }
    }
    String regenerate = "k8s/base differs from the chart: regenerate it (k8s/generate-base.py)";
    assertEquals(chart.keySet(), base.keySet(), regenerate);
    chart.forEach((id, object) -> assertEquals(object, base.get(id), regenerate + ": " + id));
  }

  /** The object as JSON without the labels and annotations only Helm adds. */
  private static JsonNode withoutHelmMetadata(HasMetadata object) {
    ObjectNode json = Serialization.jsonMapper().valueToTree(object);
    json.findParents("labels")
        .forEach(
            parent -> {
              if (parent.get("labels") instanceof ObjectNode labels) {
                labels.remove(
                    List.of(
                        "helm.sh/chart",
                        "app.kubernetes.io/managed-by",
                        "app.kubernetes.io/version"));
              }
            });
    json.findParents("annotations")
        .forEach(
            parent -> {
              if (parent.get("annotations") instanceof ObjectNode annotations) {
                annotations.remove("checksum/config");
                if (annotations.isEmpty()) {
                  ((ObjectNode) parent).remove("annotations");
                }
              }
            });
    return json;
  }

  @Test
  void aDisabledServiceRendersNothingAndNoPolicyLetsItsCallerThrough() {
    List<HasMetadata> objects =
        Manifests.parseStrict(
            render(
                t ->
                    t.set("services.audience.enabled", false)
                        .set("services.connector.enabled", false)));
    assertTrue(
        objects.stream()
            .noneMatch(o -> name(o).contains("audience") || name(o).contains("connector")),
        Manifests.names(objects).toString());
    assertTrue(
        Manifests.allowedFlows(objects).stream().noneMatch(f -> f.contains("connector")),
        "no flows from a disabled connector");
  }

  @Test
  void installNotesTellHowToReachTheCollectorAndReadAProfile() {
    String notes =
        new Helm(CHART)
            .install()
            .withName("cdp")
            .withNamespace("cdp")
            .withKubeVersion("1.32.0")
            .dryRun()
            .clientOnly()
            .call()
            .getOutput();
    assertTrue(notes.contains("get secret cdp-admin-token"), notes);
    assertTrue(notes.contains("port-forward svc/cdp-collector 8080:8080"), notes);
    assertTrue(notes.contains("/v1/identify"), notes);
    assertTrue(notes.contains("$PROFILES/v1/profiles/user_id:42"), notes);
  }
}
