package io.cdp.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Parses rendered manifests into the fabric8 Kubernetes model, strictly, and holds the checks that
 * both the Helm chart and the kustomize overlays must pass.
 */
final class Manifests {

  /** The six services, as their short names. */
  static final List<String> SERVICES =
      List.of("collector", "identity", "profile", "audience", "consent", "connector");

  /** Kinds the suite may render that the core model does not know, with their API group. */
  private static final Map<String, String> CUSTOM_KINDS =
      Map.of(
          "ServiceMonitor", "monitoring.coreos.com/v1",
          "KafkaTopic", "kafka.strimzi.io/v1beta2",
          "Cache", "infinispan.org/v2alpha1");

  /** The spec fields those CRDs define (the parts of their schemas the chart uses and more). */
  private static final Map<String, Set<String>> CUSTOM_SPEC_FIELDS =
      Map.of(
          "ServiceMonitor",
          Set.of(
              "selector",
              "endpoints",
              "namespaceSelector",
              "jobLabel",
              "targetLabels",
              "podTargetLabels",
              "sampleLimit"),
          "KafkaTopic",
          Set.of("topicName", "partitions", "replicas", "config"),
          "Cache",
          Set.of("clusterName", "name", "template", "templateName", "updates"));

  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

  private Manifests() {}

  /** The repository root (this module's parent directory). */
  static Path repoRoot() {
    Path here = Path.of("").toAbsolutePath();
    return Files.exists(here.resolve("helm")) ? here : here.getParent();
  }

  /**
   * Parses every YAML document into its typed model object. Fails on an unknown built-in kind, a
   * value of the wrong type (Jackson rejects it) and any field the schema does not know.
   */
  static List<HasMetadata> parseStrict(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
      if (document.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
        continue;
      }
      HasMetadata object;
      try {
        object = Serialization.unmarshal(document);
      } catch (RuntimeException e) {
        throw new AssertionError("Not a valid Kubernetes object:\n" + document, e);
      }
      String id = object.getKind() + "/" + object.getMetadata().getName();
      if (object instanceof GenericKubernetesResource) {
        String apiVersion = CUSTOM_KINDS.get(object.getKind());
        assertNotNull(apiVersion, id + ": unknown kind (a typo in kind or apiVersion?)");
        assertEquals(apiVersion, object.getApiVersion(), id + ": apiVersion");
        Map<String, Object> spec = ((GenericKubernetesResource) object).get("spec");
        Set<String> unknown = new TreeSet<>(spec.keySet());
        unknown.removeAll(CUSTOM_SPEC_FIELDS.get(object.getKind()));
        assertTrue(unknown.isEmpty(), id + ": spec fields the CRD does not define: " + unknown);
      } else {
        List<String> unknown = new ArrayList<>();
        collectUnknownFields(object, id, unknown, new IdentityHashMap<>());
        assertTrue(unknown.isEmpty(), "fields the Kubernetes API does not know: " + unknown);
      }
      objects.add(object);
    }
    return objects;
  }

  /**
   * fabric8 keeps unknown fields in {@code additionalProperties}: walk every model object and
   * report each one with its path.
   */
  private static void collectUnknownFields(
      Object node, String path, List<String> unknown, Map<Object, Boolean> seen) {
    if (node == null || seen.put(node, Boolean.TRUE) != null) {
      return;
    }
    if (node instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        collectUnknownFields(item, path + "[" + i++ + "]", unknown, seen);
      }
      return;
    }
    if (node instanceof Map<?, ?> map) {
      map.forEach((k, v) -> collectUnknownFields(v, path + "." + k, unknown, seen));
      return;
    }
    if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")
        || node instanceof IntOrString
        || node instanceof Quantity) {
      return;
    }
    for (Method getter : node.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || Modifier.isStatic(getter.getModifiers())
          || !getter.getName().startsWith("get")
          || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      Object value;
      try {
        value = getter.invoke(node);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          extra.keySet().forEach(k -> unknown.add(path + "." + k));
        }
        continue;
      }
      String field =
          Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
      collectUnknownFields(value, path + "." + field, unknown, seen);
    }
  }

  static <T extends HasMetadata> List<T> ofKind(List<HasMetadata> objects, Class<T> kind) {
    return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  static List<GenericKubernetesResource> custom(List<HasMetadata> objects, String kind) {
    return objects.stream()
        .filter(o -> o instanceof GenericKubernetesResource && o.getKind().equals(kind))
        .map(GenericKubernetesResource.class::cast)
        .toList();
  }

  /** The one object of a kind whose name contains the service's name. */
  static <T extends HasMetadata> T forService(
      List<HasMetadata> objects, Class<T> kind, String service) {
    List<T> matches =
        ofKind(objects, kind).stream()
            .filter(o -> o.getMetadata().getName().contains(service))
            .toList();
    assertEquals(
        1, matches.size(), kind.getSimpleName() + " for " + service + ": " + names(matches));
    return matches.get(0);
  }

  static String name(HasMetadata object) {
    return object.getMetadata().getName();
  }

  static List<String> names(Collection<? extends HasMetadata> objects) {
    return objects.stream().map(o -> o.getMetadata().getName()).toList();
  }

  /**
   * What every workload must have: one Deployment, Service, HPA and PDB per service; every
   * container with liveness and readiness probes on the Quarkus endpoints, CPU and memory requests
   * and limits, non-root, read-only root filesystem, no privilege escalation, no capabilities, and
   * a writable /tmp.
   */
  static void assertHardenedWorkloads(List<HasMetadata> objects) {
    List<Deployment> deployments = ofKind(objects, Deployment.class);
    assertEquals(SERVICES.size(), deployments.size(), "Deployments: " + names(deployments));
    for (String service : SERVICES) {
      Deployment deployment = forService(objects, Deployment.class, service);
      forService(objects, io.fabric8.kubernetes.api.model.Service.class, service);
      forService(objects, PodDisruptionBudget.class, service);
      // Either an HPA owns the replica count or the Deployment states it, never both.
      long hpas =
          ofKind(objects, HorizontalPodAutoscaler.class).stream()
              .filter(h -> h.getSpec().getScaleTargetRef().getName().equals(name(deployment)))
              .count();
      assertEquals(
          deployment.getSpec().getReplicas() == null ? 1 : 0,
          hpas,
          service + ": HPA count for replicas " + deployment.getSpec().getReplicas());
    }
    for (Deployment deployment : deployments) {
      String name = deployment.getMetadata().getName();
      PodSpec pod = deployment.getSpec().getTemplate().getSpec();
      assertEquals(
          Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot(), name + " pod runAsNonRoot");
      assertFalse(pod.getContainers().isEmpty(), name + " has containers");
      for (Container c : pod.getContainers()) {
        String id = name + "/" + c.getName();
        assertNotNull(c.getLivenessProbe(), id + " liveness probe");
        assertEquals("/q/health/live", c.getLivenessProbe().getHttpGet().getPath(), id);
        assertNotNull(c.getReadinessProbe(), id + " readiness probe");
        assertEquals("/q/health/ready", c.getReadinessProbe().getHttpGet().getPath(), id);
        assertNotNull(c.getResources().getLimits(), id + " limits");
        assertTrue(
            c.getResources().getLimits().keySet().containsAll(Set.of("cpu", "memory")),
            id + " cpu and memory limits");
        assertTrue(
            c.getResources().getRequests().keySet().containsAll(Set.of("cpu", "memory")),
            id + " cpu and memory requests");
        var sc = c.getSecurityContext();
        assertNotNull(sc, id + " securityContext");
        assertEquals(Boolean.TRUE, sc.getRunAsNonRoot(), id + " runAsNonRoot");
        assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem(), id + " readOnlyRootFilesystem");
        assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), id + " privilege escalation");
        assertEquals(List.of("ALL"), sc.getCapabilities().getDrop(), id + " drops ALL");
        assertTrue(
            c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")),
            id + " mounts a writable /tmp");
        assertTrue(
            c.getPorts().stream().anyMatch(p -> "http".equals(p.getName())), id + " port http");
      }
      assertTrue(
          pod.getVolumes().stream().anyMatch(v -> v.getEmptyDir() != null),
          name + " has an emptyDir for /tmp");
    }
    for (var svc : ofKind(objects, io.fabric8.kubernetes.api.model.Service.class)) {
      Set<String> ports =
          svc.getSpec().getPorts().stream().map(p -> p.getName()).collect(Collectors.toSet());
      assertEquals(Set.of("http", "grpc"), ports, svc.getMetadata().getName() + " port names");
    }
  }

  /**
   * Every flow the NetworkPolicies allow, one line each: {@code in <service> <- <peer> :<port>} or
   * {@code out <service> -> <peer> :<port>/<protocol>}.
   */
  static Set<String> allowedFlows(List<HasMetadata> objects) {
    Set<String> flows = new TreeSet<>();
    for (NetworkPolicy policy : ofKind(objects, NetworkPolicy.class)) {
      String target = serviceOf(policy.getSpec().getPodSelector().getMatchLabels());
      assertEquals(
          List.of("Ingress", "Egress"),
          policy.getSpec().getPolicyTypes(),
          policy.getMetadata().getName() + " restricts both directions");
      for (var rule : policy.getSpec().getIngress()) {
        for (NetworkPolicyPeer peer : rule.getFrom()) {
          for (NetworkPolicyPort port : rule.getPorts()) {
            flows.add("in " + target + " <- " + describe(peer) + " " + describe(port));
          }
        }
      }
      for (var rule : policy.getSpec().getEgress()) {
        for (NetworkPolicyPeer peer : rule.getTo()) {
          for (NetworkPolicyPort port : rule.getPorts()) {
            flows.add("out " + target + " -> " + describe(peer) + " " + describe(port));
          }
        }
      }
    }
    return flows;
  }

  private static String serviceOf(Map<String, String> labels) {
    String name = labels.get("app.kubernetes.io/name");
    if (name == null) {
      fail("a NetworkPolicy peer or target without app.kubernetes.io/name: " + labels);
    }
    return name.replace("-service", "");
  }

  private static String describe(NetworkPolicyPeer peer) {
    if (peer.getIpBlock() != null) {
      List<String> except = peer.getIpBlock().getExcept();
      return "cidr:"
          + peer.getIpBlock().getCidr()
          + (except == null || except.isEmpty() ? "" : "-except" + except);
    }
    String ns = null;
    if (peer.getNamespaceSelector() != null) {
      Map<String, String> labels = peer.getNamespaceSelector().getMatchLabels();
      ns =
          labels == null || labels.isEmpty()
              ? "*"
              : labels.getOrDefault("kubernetes.io/metadata.name", labels.toString());
    }
    if (peer.getPodSelector() != null) {
      Map<String, String> labels = peer.getPodSelector().getMatchLabels();
      String pod =
          labels.containsKey("app.kubernetes.io/name") ? serviceOf(labels) : labels.toString();
      return ns == null ? "pod:" + pod : "ns:" + ns + "/pod:" + pod;
    }
    return "ns:" + ns;
  }

  private static String describe(NetworkPolicyPort port) {
    String value = port.getPort().getStrVal();
    if (value == null) {
      value = String.valueOf(port.getPort().getIntVal());
    }
    return ":" + value + "/" + port.getProtocol();
  }

  /**
   * The network flows docs/operations.md documents, as {@link #allowedFlows} writes them: the
   * chart's and the kustomize base's NetworkPolicies must allow exactly these.
   */
  static Set<String> documentedFlows() {
    Set<String> expected = new TreeSet<>();
    for (String s : SERVICES) {
      expected.add("in " + s + " <- ns:ingress-nginx :http/TCP");
      expected.add("in " + s + " <- ns:monitoring :http/TCP");
      expected.add("out " + s + " -> ns:*/pod:{k8s-app=kube-dns} :53/UDP");
      expected.add("out " + s + " -> ns:*/pod:{k8s-app=kube-dns} :53/TCP");
      expected.add("out " + s + " -> ns:kafka :9092/TCP");
      expected.add("out " + s + " -> ns:postgres :5432/TCP");
      expected.add("out " + s + " -> ns:infinispan :11222/TCP");
    }
    expected.add("in collector <- cidr:0.0.0.0/0 :http/TCP");
    expected.add("in profile <- pod:connector :http/TCP");
    expected.add("in consent <- pod:connector :http/TCP");
    expected.add("out connector -> pod:profile :8080/TCP");
    expected.add("out connector -> pod:consent :8080/TCP");
    expected.add("in identity <- pod:consent :http/TCP");
    expected.add("out consent -> pod:identity :8080/TCP");
    // Audience rules are checked against the profile service's attribute definitions
    expected.add("in profile <- pod:audience :http/TCP");
    expected.add("out audience -> pod:profile :8080/TCP");
    // The privacy access API gathers a person's profile, memberships and deliveries
    for (String peer : List.of("profile", "audience", "connector")) {
      expected.add("in " + peer + " <- pod:consent :http/TCP");
      expected.add("out consent -> pod:" + peer + " :8080/TCP");
    }
    for (int port : List.of(80, 443, 25, 587)) {
      expected.add(
          "out connector -> cidr:0.0.0.0/0-except[10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16] :"
              + port
              + "/TCP");
    }
    return expected;
  }
}
