# The build stage drops root, the final stage does not: it runs as root.
FROM golang:1.22-alpine AS build
RUN adduser -D builder
USER builder
WORKDIR /src
COPY . .
RUN go build -o /out/app .

FROM alpine:3.20
COPY --from=build /out/app /usr/local/bin/app
HEALTHCHECK CMD ["app", "health"]
ENTRYPOINT ["app"]
