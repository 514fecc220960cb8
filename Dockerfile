# Flowork: one image for every role (gateway, engine, worker, up). Build: docker build -t flowork .
# Run:   docker run -p 8000:8000 -v flowork-data:/data flowork up --data /data
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary is reachable
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY packages/protocol/package.json packages/protocol/
COPY packages/sdk/package.json packages/sdk/
COPY packages/engine/package.json packages/engine/
COPY packages/gateway/package.json packages/gateway/
COPY packages/gui/package.json packages/gui/
COPY packages/cli/package.json packages/cli/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json ./
COPY packages packages
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
RUN useradd --system --uid 10001 --home /data flowork && mkdir -p /data && chown flowork /data
USER flowork
VOLUME ["/data"]
EXPOSE 8000 8989
ENTRYPOINT ["node", "/app/packages/cli/bin/flowork.js"]
CMD ["up", "--data", "/data"]
