ARG BASE=ubuntu
FROM ${BASE}
ARG NPM_TOKEN=npm_0123456789abcdefghij
ENV DB_PASSWORD=s3cretpass \
    APP_MODE=production
RUN apt-get update && apt-get -y dist-upgrade
RUN apt-get install -y curl sudo
RUN sudo useradd app
ADD app.tar.gz /opt/
ADD config.ini /etc/app/config.ini
RUN chmod u+s /usr/local/bin/helper
RUN apk add curl
USER app
