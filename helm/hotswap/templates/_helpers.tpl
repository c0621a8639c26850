{{- define "hotswap.labels" -}}
app.kubernetes.io/name: hotswap
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* What every service gets: Kafka, its state directory, its log format and where its traces go. */}}
{{- define "hotswap.serviceEnv" -}}
- name: HOTSWAP_KAFKA_BOOTSTRAP
  value: {{ .Values.kafka.bootstrapServers | quote }}
- name: HOTSWAP_PARTITIONS
  value: {{ .Values.kafka.partitions | quote }}
- name: HOTSWAP_REPLICATION_FACTOR
  value: {{ .Values.kafka.replicationFactor | quote }}
- name: HOTSWAP_STATE_DIR
  value: /data/state
{{- range $k, $v := .Values.kafka.extraProperties }}
- name: {{ printf "SPRING_KAFKA_PROPERTIES_%s" ($k | upper | replace "." "_") }}
  value: {{ $v | quote }}
{{- end }}
{{- if .Values.logging.format }}
- name: LOGGING_STRUCTURED_FORMAT_CONSOLE
  value: {{ .Values.logging.format | quote }}
{{- end }}
- name: MANAGEMENT_TRACING_SAMPLING_PROBABILITY
  value: {{ .Values.tracing.samplingProbability | quote }}
{{- if .Values.tracing.otlpEndpoint }}
- name: MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT
  value: {{ .Values.tracing.otlpEndpoint | quote }}
{{- end }}
{{- end -}}

{{/* Every service verifies tokens with the JWT secret; the gateway and audit need the master key (secrets, audit chain). */}}
{{- define "hotswap.securityEnv" -}}
- name: HOTSWAP_JWT_SECRET
  valueFrom: { secretKeyRef: { name: {{ .Values.security.existingSecret }}, key: jwt-secret } }
- name: HOTSWAP_MASTER_KEY
  valueFrom: { secretKeyRef: { name: {{ .Values.security.existingSecret }}, key: master-key } }
{{- end -}}

{{- define "hotswap.probes" -}}
readinessProbe:
  httpGet: { path: /actuator/health/readiness, port: http }
  periodSeconds: 5
  failureThreshold: 60
livenessProbe:
  httpGet: { path: /actuator/health/liveness, port: http }
  initialDelaySeconds: 60
  periodSeconds: 10
{{- end -}}

{{/*
Where a Streams service keeps its state (/data): a PersistentVolumeClaim per pod (volumeClaimTemplates
of its StatefulSet) so a restarted pod resumes from its RocksDB stores, or an emptyDir restored from
the changelog topics. "hotswap.stateClaim" goes under the StatefulSet's spec, "hotswap.stateVolume"
under its pod spec.
*/}}
{{- define "hotswap.stateClaim" -}}
{{- if .Values.state.persistence.enabled }}
volumeClaimTemplates:
  - metadata: { name: state }
    spec:
      accessModes: [ReadWriteOnce]
      {{- if .Values.state.persistence.storageClass }}
      storageClassName: {{ .Values.state.persistence.storageClass | quote }}
      {{- end }}
      resources: { requests: { storage: {{ .Values.state.persistence.size }} } }
{{- end }}
{{- end -}}

{{- define "hotswap.stateVolume" -}}
{{- if not .Values.state.persistence.enabled }}
volumes: [{ name: state, emptyDir: {} }]
{{- end }}
{{- end -}}

{{/* At most one pod of a service away at a time (node drains, upgrades), for services running more than one. */}}
{{- define "hotswap.pdb" -}}
{{- if and .root.Values.podDisruptionBudget.enabled (gt (int .replicas) 1) }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ .root.Release.Name }}-{{ .name }}
  labels: {{- include "hotswap.labels" .root | nindent 4 }}
spec:
  maxUnavailable: 1
  selector:
    matchLabels: { app.kubernetes.io/instance: {{ .root.Release.Name }}, app.kubernetes.io/component: {{ .name }} }
{{- end }}
{{- end -}}
