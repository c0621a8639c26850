{{- define "hotswap.labels" -}}
app.kubernetes.io/name: hotswap
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "hotswap.kafkaEnv" -}}
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
