# One image for all five Signet services. docker-compose.yml picks the service
# with `command: ["node", "dist/apps/<app>/main.js"]` (the same entry points as
# scripts/run-all.mjs).
#
#   docker build -t signet .
#   docker run --rm signet node dist/apps/intermediary/main.js

ARG NODE_IMAGE=node:20-bookworm-slim

# 1. The npm manifests only (root and workspace package.json files and the
#    lock file), so the `npm ci` layer below is rebuilt only when a dependency
#    changes, not on every source edit.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json -delete \
 && find . -depth -type d -empty -delete

# 2. Install exactly the locked dependencies and build every app and lib.
#    --ignore-scripts: the only packages with install scripts (nx, @swc/core,
#    @parcel/watcher) are denied in package.json "allowScripts" anyway; their
#    native binaries come as ordinary optional packages.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false CI=true
COPY --from=manifests /src/ ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npx nx run-many -t build --outputStyle=stream \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && find libs -mindepth 2 -maxdepth 2 ! -name dist ! -name package.json -exec rm -rf {} + \
 && mkdir -p config

# 3. Runtime: production dependencies, compiled apps and libs (resolved through
#    the workspace links in node_modules/@signet), the policy configuration.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/libs ./libs
COPY --from=build /app/dist ./dist
COPY --from=build /app/config ./config
RUN mkdir -p /app/.signet/published && chown -R node:node /app/.signet
USER node
CMD ["node", "dist/apps/intermediary/main.js"]
