# syntax=docker/dockerfile:1
#
# Sabil: one image with all three binaries (sabil-api, sabil-sync-worker and
# the operators' tool `sabil`). The default command runs the HTTP API; run the
# worker from the same image with `sabil-sync-worker` as the command.

# --- build --------------------------------------------------------------------
FROM rust:1.95-slim-bookworm AS builder

# No extra packages: TLS is rustls on aws-lc-rs, and aws-lc-sys, ring and the
# bundled SQLite build with the cc crate, which needs only the gcc and
# libc6-dev that this image already ships. No OpenSSL, cmake or pkg-config.
ENV CARGO_TERM_COLOR=never

WORKDIR /src

# Dependency layer: manifests, the lockfile and stub crate roots only, so the
# expensive build of third-party crates is cached until a manifest changes.
COPY Cargo.toml Cargo.lock ./
COPY core/Cargo.toml core/
COPY adapters/Cargo.toml adapters/
COPY api/Cargo.toml api/
COPY cli/Cargo.toml cli/
COPY sync-worker/Cargo.toml sync-worker/
COPY tests/Cargo.toml tests/
# The stub crates embed no migrations, so migrations/ is copied only with the
# real sources below (a new migration must not invalidate this layer).
RUN mkdir -p core/src adapters/src api/src cli/src sync-worker/src tests/src \
 && touch core/src/lib.rs adapters/src/lib.rs api/src/lib.rs tests/src/lib.rs \
 && for bin in api cli sync-worker; do echo 'fn main() {}' > "$bin/src/main.rs"; done \
 && cargo build --release --locked -p sabil-api -p sabil-cli -p sabil-sync-worker

# Real sources. COPY keeps the files' original mtimes, which can be older than
# the stub build's artefacts, so touch the crate roots to make cargo rebuild
# the workspace crates (third-party crates stay cached).
COPY core core
COPY adapters adapters
COPY api api
COPY cli cli
COPY sync-worker sync-worker
COPY tests tests
# sqlx::migrate! embeds ../migrations/{sqlite,postgres} (relative to adapters/)
# at compile time.
COPY migrations migrations
COPY openapi openapi
RUN touch core/src/lib.rs adapters/src/lib.rs api/src/lib.rs api/src/main.rs \
          cli/src/main.rs sync-worker/src/main.rs tests/src/lib.rs \
 && cargo build --release --locked -p sabil-api -p sabil-cli -p sabil-sync-worker

# --- runtime ------------------------------------------------------------------
FROM debian:bookworm-slim AS runtime

# ca-certificates: outbound HTTPS (SAP, Twilio, FCM, Tap). tini: PID 1 that
# forwards SIGTERM for graceful shutdown and reaps zombies.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 sabil \
 && useradd --system --uid 10001 --gid sabil --home-dir /app --no-create-home \
            --shell /usr/sbin/nologin sabil

WORKDIR /app
# Default SQLite database and other local state; mount a volume here to keep it.
RUN mkdir -p /app/data && chown sabil:sabil /app/data

COPY --from=builder /src/target/release/sabil-api \
                    /src/target/release/sabil \
                    /src/target/release/sabil-sync-worker \
                    /usr/local/bin/

ENV SABIL_BIND=0.0.0.0:8080 \
    SABIL_DATA_DIR=/app/data \
    SABIL_LOG_FORMAT=json

EXPOSE 8080
USER sabil

# No HEALTHCHECK: the image carries no curl or wget. Orchestrators should
# probe the API over HTTP instead: liveness GET /healthz, readiness GET /readyz
# (database reachable, migrations applied).

ENTRYPOINT ["tini", "--"]
CMD ["sabil-api"]
