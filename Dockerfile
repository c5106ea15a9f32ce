# syntax=docker/dockerfile:1
#
# Build:
#   docker build \
#     --build-arg VERSION="$(git describe --tags --always)" \
#     --build-arg REVISION="$(git rev-parse HEAD)" \
#     --build-arg BUILD_DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
#     -t github-billing-exporter .

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src

# Dependencies first so that a source-only change reuses this layer.
COPY go.mod go.sum ./
RUN go mod download

COPY . .

ARG VERSION=dev
ARG REVISION=unknown
ARG BRANCH=HEAD
ARG BUILD_DATE=unknown
ARG BUILD_USER=docker
ARG TARGETOS=linux
ARG TARGETARCH
RUN CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath \
      -ldflags "-s -w \
        -X github.com/prometheus/common/version.Version=${VERSION} \
        -X github.com/prometheus/common/version.Revision=${REVISION} \
        -X github.com/prometheus/common/version.Branch=${BRANCH} \
        -X github.com/prometheus/common/version.BuildUser=${BUILD_USER} \
        -X github.com/prometheus/common/version.BuildDate=${BUILD_DATE}" \
      -o /out/github-billing-exporter . \
 && /out/github-billing-exporter --version

FROM gcr.io/distroless/static-debian12:nonroot

ARG VERSION=dev
ARG REVISION=unknown
ARG BUILD_DATE=unknown
LABEL org.opencontainers.image.title="github-billing-exporter" \
      org.opencontainers.image.description="Prometheus exporter for GitHub billing and usage" \
      org.opencontainers.image.source="https://github.com/github-billing-exporter/github-billing-exporter" \
      org.opencontainers.image.url="https://github.com/github-billing-exporter/github-billing-exporter" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${BUILD_DATE}"

COPY --from=build /out/github-billing-exporter /bin/github-billing-exporter

# distroless "nonroot" is uid/gid 65532; stated numerically so that
# Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 65532:65532
EXPOSE 9786
WORKDIR /
ENTRYPOINT ["/bin/github-billing-exporter"]
CMD ["--config.file=/etc/github-billing-exporter/config.yml"]
