# docker-daemon-exporter as a container image: runs beside the daemon it watches, as a user of its own.
# Build: docker build -t docker-daemon-exporter .   Run: see the README, "In a container".
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY src ./src
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
# A copy of node that carries the two read-only capabilities the scan and the configuration need; the
# entrypoint uses it only when the container was given them. Set here, not copied from the build stage:
# COPY --from drops file capabilities.
RUN set -e; installed=; \
    if ! command -v setcap >/dev/null; then apt-get update && apt-get install -y --no-install-recommends libcap2-bin && installed=1; fi; \
    cp "$(command -v node)" /usr/local/bin/node-with-caps; \
    setcap cap_dac_read_search,cap_sys_ptrace=ep /usr/local/bin/node-with-caps; \
    if [ -n "$installed" ]; then apt-get purge -y libcap2-bin && rm -rf /var/lib/apt/lists/*; fi
WORKDIR /app
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY packaging/docker-entrypoint /usr/local/bin/docker-entrypoint
# Not root: a user of its own; the docker group's gid is the host's, given at run time (--group-add).
USER 65532:65532
EXPOSE 9326
ENTRYPOINT ["/usr/local/bin/docker-entrypoint"]
