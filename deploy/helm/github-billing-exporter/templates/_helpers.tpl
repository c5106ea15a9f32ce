{{- define "gbe.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "gbe.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "gbe.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "gbe.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gbe.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "gbe.labels" -}}
helm.sh/chart: {{ include "gbe.chart" . }}
{{ include "gbe.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: exporter
{{- end }}

{{- define "gbe.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "gbe.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "gbe.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* Headless Service that gives StatefulSet pods stable DNS names. */}}
{{- define "gbe.headlessServiceName" -}}
{{- printf "%s-headless" (include "gbe.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of the Secret holding the token, or "" when there is none. */}}
{{- define "gbe.tokenSecretName" -}}
{{- if .Values.github.existingSecret }}
{{- .Values.github.existingSecret }}
{{- else if .Values.github.token }}
{{- printf "%s-token" (include "gbe.fullname" .) }}
{{- end }}
{{- end }}

{{- define "gbe.tokenSecretKey" -}}
{{- if .Values.github.existingSecret }}
{{- .Values.github.existingSecretKey }}
{{- else }}
{{- "token" }}
{{- end }}
{{- end }}

{{- define "gbe.appKeySecretName" -}}
{{- if .Values.github.app.enabled }}
{{- if .Values.github.app.existingSecret }}
{{- .Values.github.app.existingSecret }}
{{- else if .Values.github.app.privateKey }}
{{- printf "%s-app-key" (include "gbe.fullname" .) }}
{{- end }}
{{- end }}
{{- end }}

{{- define "gbe.appKeySecretKey" -}}
{{- if .Values.github.app.existingSecret }}
{{- .Values.github.app.existingSecretKey }}
{{- else }}
{{- "private-key.pem" }}
{{- end }}
{{- end }}

{{/* "true" when at least one account is configured, else "". */}}
{{- define "gbe.hasAccounts" -}}
{{- if or .Values.config.enterprises .Values.config.organizations .Values.config.users }}true{{ end }}
{{- end }}

{{/*
"true" when the exporter runs --demo, else "". demo: auto (the default) is
demo mode only while neither an account nor a credential is configured, so
that the default values install something that runs instead of a pod that
exits with "no accounts"; as soon as a user configures GitHub it is off.
*/}}
{{- define "gbe.demo" -}}
{{- if kindIs "bool" .Values.demo }}
{{- if .Values.demo }}true{{ end }}
{{- else if not (or (include "gbe.hasAccounts" .) .Values.github.token .Values.github.existingSecret .Values.github.app.enabled) }}true{{ end }}
{{- end }}

{{/* Values the exporter would refuse at start, refused at template time. */}}
{{- define "gbe.validate" -}}
{{- $demo := include "gbe.demo" . }}
{{- if and .Values.github.app.enabled (not $demo) (not (include "gbe.appKeySecretName" .)) }}
{{- fail "github.app.enabled needs github.app.privateKey or github.app.existingSecret" }}
{{- end }}
{{- if and .Values.github.app.enabled (include "gbe.tokenSecretName" .) }}
{{- fail "set either a token (github.token / github.existingSecret) or github.app, not both" }}
{{- end }}
{{- if and (not $demo) (not (include "gbe.hasAccounts" .)) }}
{{- fail "no accounts: the exporter exits without one. List at least one of config.enterprises, config.organizations or config.users (e.g. --set 'config.organizations[0].name=my-org'), or set demo=true for made-up data" }}
{{- end }}
{{- end }}

{{/* The exporter's config file (see docs/configuration.md). */}}
{{- define "gbe.config" -}}
github:
  {{- with .Values.github.credential }}
  credential: {{ . | quote }}
  {{- end }}
  api_url: {{ .Values.github.apiURL | quote }}
  {{- if .Values.github.insecureHTTP }}
  insecure_http: true
  {{- end }}
  {{- if include "gbe.tokenSecretName" . }}
  token_file: /etc/github-billing-exporter/token/token
  {{- end }}
  {{- if .Values.github.app.enabled }}
  app:
    app_id: {{ int64 .Values.github.app.appID }}
    installation_id: {{ int64 .Values.github.app.installationID }}
    private_key_file: /etc/github-billing-exporter/app/private-key.pem
  {{- end }}
  {{- with .Values.github.proxyURL }}
  proxy_url: {{ . | quote }}
  {{- end }}
  {{- with .Values.github.noProxy }}
  no_proxy: {{ . | quote }}
  {{- end }}
  {{- if .Values.github.proxyFromEnvironment }}
  proxy_from_environment: true
  {{- end }}
  {{- with .Values.github.tlsConfig }}
  tls_config:
    {{- toYaml . | nindent 4 }}
  {{- end }}
refresh_interval: {{ .Values.config.refreshInterval }}
{{- with .Values.config.refreshTimeout }}
refresh_timeout: {{ . }}
{{- end }}
{{- with .Values.config.maxAge }}
max_age: {{ . }}
{{- end }}
{{- with .Values.config.enterprises }}
enterprises:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.config.organizations }}
organizations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.config.users }}
users:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/*
Every configured account as a /probe target: its name, or SCOPE/NAME when
the same name is configured in more than one scope.
*/}}
{{- define "gbe.accounts" -}}
{{- $scoped := list (list "enterprise" .Values.config.enterprises) (list "organization" .Values.config.organizations) (list "user" .Values.config.users) }}
{{- $count := dict }}
{{- range $scoped }}
{{- range (index . 1) }}
{{- $_ := set $count .name (add1 (get $count .name | default 0)) }}
{{- end }}
{{- end }}
{{- $targets := list }}
{{- range $scoped }}
{{- $scope := index . 0 }}
{{- range (index . 1) }}
{{- if gt (get $count .name | int) 1 }}
{{- $targets = append $targets (printf "%s/%s" $scope .name) }}
{{- else }}
{{- $targets = append $targets .name }}
{{- end }}
{{- end }}
{{- end }}
{{- toJson (uniq $targets) }}
{{- end }}
