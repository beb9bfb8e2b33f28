FROM debian:12.5
MAINTAINER ops@example.com
ADD https://example.com/tool.tar.gz /opt/
RUN curl -fsSL https://get.example.com/install.sh | sh
WORKDIR app
RUN cd /opt && tar -xzf tool.tar.gz
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get install -y jq=1.6-2.1 && rm -rf /var/lib/apt/lists/*
WORKDIR /srv
COPY . .
USER 1000
RUN make build
HEALTHCHECK CMD curl -f http://localhost/ || exit 1
