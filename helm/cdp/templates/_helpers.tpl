{{/*
The one place for names, labels and the container every service runs. Templates call these
with a context dict: (dict "root" $ "name" "<service>" "svc" <the service's values block>).
*/}}

{{- define "cdp.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* A service's object name: <fullname>-<service>, e.g. cdp-collector. */}}
{{- define "cdp.serviceName" -}}
{{- printf "%s-%s" (include "cdp.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "cdp.commonLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/part-of: cdp
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* Selector labels of one service: stable across upgrades. */}}
{{- define "cdp.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}-service
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "cdp.labels" -}}
{{ include "cdp.commonLabels" .root }}
{{ include "cdp.selectorLabels" . }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "cdp.configName" -}}
{{- printf "%s-config" (include "cdp.fullname" .) -}}
{{- end -}}

{{- define "cdp.secretName" -}}
{{- printf "%s-secrets" (include "cdp.fullname" .) -}}
{{- end -}}

{{/* The Secret holding `admin-token`: an existing one, the chart's own, or the generated one. */}}
{{- define "cdp.adminTokenSecret" -}}
{{- if .Values.adminToken.existingSecret -}}
{{- .Values.adminToken.existingSecret -}}
{{- else if .Values.adminToken.value -}}
{{- include "cdp.secretName" . -}}
{{- else -}}
{{- printf "%s-admin-token" (include "cdp.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "cdp.image" -}}
{{- $img := .svc.image -}}
{{- $registry := $img.registry | default .root.Values.image.registry -}}
{{- $tag := $img.tag | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- if $registry -}}
{{- printf "%s/%s:%s" $registry $img.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" $img.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* An env entry read from a Secret key. */}}
{{- define "cdp.secretEnv" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
{{- end -}}

{{/*
The container every service runs: same port, probes, security context and configuration;
only the image, resources and extra env differ.
*/}}
{{- define "cdp.container" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $secret := include "cdp.secretName" $root -}}
- name: {{ .name }}-service
  image: {{ include "cdp.image" . | quote }}
  imagePullPolicy: {{ .svc.image.pullPolicy | default $v.image.pullPolicy }}
  ports:
    - name: http
      containerPort: {{ $v.containerPort }}
      protocol: TCP
  envFrom:
    - configMapRef:
        name: {{ include "cdp.configName" $root }}
  env:
    {{- include "cdp.secretEnv" (dict "env" "CDP_ADMIN_TOKEN" "secret" (include "cdp.adminTokenSecret" $root) "key" "admin-token") | nindent 4 }}
    {{- include "cdp.secretEnv" (dict "env" "QUARKUS_DATASOURCE_USERNAME" "secret" ($v.postgresql.existingSecret | default $secret) "key" (ternary "username" "postgresql-username" (not (empty $v.postgresql.existingSecret)))) | nindent 4 }}
    {{- include "cdp.secretEnv" (dict "env" "QUARKUS_DATASOURCE_PASSWORD" "secret" ($v.postgresql.existingSecret | default $secret) "key" (ternary "password" "postgresql-password" (not (empty $v.postgresql.existingSecret)))) | nindent 4 }}
    {{- if $v.infinispan.auth.enabled }}
    {{- include "cdp.secretEnv" (dict "env" "QUARKUS_INFINISPAN_CLIENT_USERNAME" "secret" ($v.infinispan.auth.existingSecret | default $secret) "key" (ternary "username" "infinispan-username" (not (empty $v.infinispan.auth.existingSecret)))) | nindent 4 }}
    {{- include "cdp.secretEnv" (dict "env" "QUARKUS_INFINISPAN_CLIENT_PASSWORD" "secret" ($v.infinispan.auth.existingSecret | default $secret) "key" (ternary "password" "infinispan-password" (not (empty $v.infinispan.auth.existingSecret)))) | nindent 4 }}
    {{- end }}
    {{- range $client, $target := .svc.grpcClients }}
    - name: QUARKUS_GRPC_CLIENTS_{{ $client | upper | replace "-" "_" }}_HOST
      value: {{ include "cdp.serviceName" (dict "root" $root "name" $target) }}
    - name: QUARKUS_GRPC_CLIENTS_{{ $client | upper | replace "-" "_" }}_PORT
      value: {{ $v.grpcPort | quote }}
    {{- end }}
    {{- range $target := values .svc.grpcClients | sortAlpha | uniq }}
    - name: CDP_{{ $target | upper }}_URL
      value: http://{{ include "cdp.serviceName" (dict "root" $root "name" $target) }}:{{ $v.containerPort }}
    {{- end }}
    {{- range $key, $value := .svc.env }}
    - name: {{ $key }}
      value: {{ $value | quote }}
    {{- end }}
  # Quarkus probes: live = the process is healthy; ready = Kafka, PostgreSQL, Infinispan answer.
  startupProbe:
    httpGet:
      path: /q/health/started
      port: http
    periodSeconds: 5
    failureThreshold: 36
  livenessProbe:
    httpGet:
      path: /q/health/live
      port: http
    periodSeconds: 10
    timeoutSeconds: 3
    failureThreshold: 3
  readinessProbe:
    httpGet:
      path: /q/health/ready
      port: http
    periodSeconds: 5
    timeoutSeconds: 3
    failureThreshold: 3
  resources:
    {{- toYaml .svc.resources | nindent 4 }}
  securityContext:
    runAsNonRoot: true
    allowPrivilegeEscalation: false
    readOnlyRootFilesystem: true
    capabilities:
      drop: [ALL]
  # The root filesystem is read-only; Quarkus and the JVM write only below /tmp.
  volumeMounts:
    - name: tmp
      mountPath: /tmp
{{- end -}}

{{/* A NetworkPolicy peer selecting one of this release's services. */}}
{{- define "cdp.peer" -}}
- podSelector:
    matchLabels:
      {{- include "cdp.selectorLabels" . | nindent 6 }}
{{- end -}}
