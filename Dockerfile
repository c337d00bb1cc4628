# Dockerfile — the incomescore image: the API server (and the daily
# pipeline, same binary) on a Debian bookworm-slim runtime.
#
# Two stages: `build` compiles with the -dev packages and stages
# `make install` into /stage; the runtime gets the shared libraries only
# (about a third of the size), runs as the unprivileged user incomescore,
# and keeps its registry and audit log under INCOMESCORE_HOME, a volume.
#
#   buildah bud --isolation chroot --format docker -t incomescore .
#   docker build -t incomescore .          (where a Docker engine runs)
#
# BASE names the base image: debian:bookworm-slim from a registry, or the
# local one `make image-test` makes with debootstrap where no registry is
# reachable (localhost/debian:bookworm-slim).
ARG BASE=docker.io/library/debian:bookworm-slim

FROM ${BASE} AS build
# The -dev packages of scripts/deps.sh, minus what only the tests use.
RUN apt-get update && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        build-essential pkg-config libjansson-dev libutf8proc-dev \
        libcsv-dev libbson-dev libmongoc-dev libssl-dev libxgboost-dev \
        liblapacke-dev libsqlite3-dev libmicrohttpd-dev libcurl4-openssl-dev \
        libzstd-dev libpq-dev && \
    rm -rf /var/lib/apt/lists/*
WORKDIR /src
# What .dockerignore lets through: Makefile, src/, data/ (and web/, the
# page, once the tree has it; make install installs what is there).
COPY . ./
RUN make -j"$(nproc)" install PREFIX=/usr/local DESTDIR=/stage

FROM ${BASE}
# The libraries the binary links (ldd build/incomescore), ca-certificates
# for TLS to MongoDB, SMTP, PostgreSQL and S3, curl for the HEALTHCHECK.
RUN apt-get update && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libjansson4 libutf8proc2 libcsv3 libbson-1.0-0 libmongoc-1.0-0 \
        libssl3 libxgboost0 liblapacke libsqlite3-0 libmicrohttpd12 \
        libcurl4 libpq5 libzstd1 ca-certificates curl && \
    rm -rf /var/lib/apt/lists/* && \
    useradd --system --uid 10001 --home-dir /var/lib/incomescore \
        --create-home --shell /usr/sbin/nologin incomescore
COPY --from=build /stage/usr/local/ /usr/local/

# The registry (INCOMESCORE_HOME/registry) and the audit log live on the
# volume, shared with the pipeline's container; PORT is what Cloud Run
# and compose set, `serve` reads it.
ENV INCOMESCORE_HOME=/var/lib/incomescore \
    PORT=8000
VOLUME /var/lib/incomescore
WORKDIR /var/lib/incomescore
USER incomescore
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${PORT}/readyz" >/dev/null || exit 1
ENTRYPOINT ["incomescore"]
CMD ["serve", "--host", "0.0.0.0"]
