FROM node:22-alpine AS deps
USER root
RUN apk add --no-cache git

FROM node:22-alpine
USER node
WORKDIR /home/node/app
COPY --from=deps /usr/bin/git /usr/bin/git
USER root
RUN chown -R node /home/node/app
USER node
HEALTHCHECK CMD ["node", "health.js"]
CMD ["node", "server.js"]
