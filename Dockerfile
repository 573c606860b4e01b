# An Airbyte source image: the platform runs `$AIRBYTE_ENTRYPOINT spec|check|discover|read ...`.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 (used by the standalone `sync` command) compiles a native addon.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json manifest.yaml ./
COPY bin bin
COPY engine engine
COPY schemas schemas
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app/package.json /app/manifest.yaml ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/schemas schemas
COPY --from=build /app/engine/format/manifest.schema.json engine/format/manifest.schema.json
USER node
ENV AIRBYTE_ENTRYPOINT="node --max-semi-space-size=2 /app/dist/bin/cli.js"
ENTRYPOINT ["node", "--max-semi-space-size=2", "/app/dist/bin/cli.js"]
LABEL io.airbyte.name=manifest-connector/source-linkedin-pages-analytics
LABEL io.airbyte.version=0.1.0
