FROM alpine:3.20 AS base
RUN adduser -D -u 10001 app
USER 10001

FROM base AS final
COPY app /app
HEALTHCHECK CMD ["/app", "-health"]
ENTRYPOINT ["/app"]
