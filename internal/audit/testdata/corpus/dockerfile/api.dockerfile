# ward:ignore=WD243 the platform probes /healthz
FROM registry.example.com/base/alpine:3.20
USER 65532:65532
COPY api /api
ENTRYPOINT ["/api"]
