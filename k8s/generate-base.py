#!/usr/bin/env python3
"""Regenerates k8s/base from the Helm chart, so the plain manifests and the chart agree.

  helm template cdp helm/cdp -n cdp --kube-version 1.32.0 \
    -f cdp-deploy-tests/src/test/resources/values-kustomize-base.yaml | python3 k8s/generate-base.py

Drops the Secret (an overlay generates it or operators create it) and the labels and
annotations only Helm adds; writes one file per service, config.yaml and kustomization.yaml.
HelmChartTest.kustomizeBaseIsTheChartRenderedWithItsValues fails when the two drift apart.
"""
import collections
import os
import sys

import yaml

HELM_ONLY_LABELS = {"helm.sh/chart", "app.kubernetes.io/managed-by", "app.kubernetes.io/version"}
KIND_ORDER = ["ServiceAccount", "Deployment", "Service", "HorizontalPodAutoscaler",
              "PodDisruptionBudget", "NetworkPolicy"]
BASE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "base")


def clean(node):
    """Removes Helm's own labels and the config checksum, everywhere in the object."""
    if isinstance(node, dict):
        for key in list(node):
            if key == "labels" and isinstance(node[key], dict):
                for label in HELM_ONLY_LABELS:
                    node[key].pop(label, None)
            if key == "annotations" and isinstance(node[key], dict):
                node[key].pop("checksum/config", None)
                if not node[key]:
                    del node[key]
                    continue
            clean(node[key])
    elif isinstance(node, list):
        for item in node:
            clean(item)


def dump(path, header, objects):
    with open(path, "w") as out:
        out.write(header)
        out.write(yaml.safe_dump_all(objects, sort_keys=False, default_flow_style=False, width=100))


per_service = collections.defaultdict(list)
shared = []
for doc in yaml.safe_load_all(sys.stdin):
    if not doc or doc["kind"] == "Secret":
        continue
    clean(doc)
    component = doc["metadata"].get("labels", {}).get("app.kubernetes.io/component")
    (per_service[component] if component else shared).append(doc)

files = []
for service, objects in sorted(per_service.items()):
    objects.sort(key=lambda o: KIND_ORDER.index(o["kind"]))
    name = f"{service}-service.yaml"
    files.append(name)
    kinds = ", ".join(o["kind"] for o in objects)
    dump(os.path.join(BASE, name),
         f"# {service}-service: {kinds}.\n"
         "# Generated from helm/cdp by k8s/generate-base.py; do not edit by hand.\n",
         objects)
dump(os.path.join(BASE, "config.yaml"),
     "# Connection settings every service reads from its environment. Overlays patch the values;\n"
     "# credentials live in the Secret `cdp-secrets` (keys admin-token, postgresql-username,\n"
     "# postgresql-password), which an overlay generates or the operator creates.\n",
     shared)
with open(os.path.join(BASE, "kustomization.yaml"), "w") as out:
    out.write("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
              "# One file per service: ServiceAccount, Deployment, Service, HorizontalPodAutoscaler,\n"
              "# PodDisruptionBudget and NetworkPolicy, each named cdp-<service>.\n"
              "resources:\n  - config.yaml\n" + "".join(f"  - {f}\n" for f in files))
