FROM alpine:latest@sha256:0a4eaa0eecf5f8c050e5bba433f58c052be7587ee8af3e8b3910ef9ab5fbe9f5 AS build
RUN echo built > /built

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /built /built
HEALTHCHECK NONE
ENTRYPOINT ["/app"]
