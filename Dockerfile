# syntax=docker/dockerfile:1
# One image for every process; docker-compose picks the entry point (apps/<name>/dist/main.bundle.js).
#   docker build -t zaprelay .
#   docker run --env-file .env zaprelay                       # the ingress (with its heap flags, see CMD)
#   docker run --env-file .env zaprelay node --conditions=zaprelay-compiled worker/dist/main.bundle.js

FROM node:20-bookworm-slim AS build
WORKDIR /src
RUN npm install -g pnpm@10.34.8
# Dependencies first: this layer is reused while only sources change.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch
COPY . .
RUN pnpm install --offline --frozen-lockfile
RUN pnpm build
# Each app with its production dependencies only (workspace packages as copies holding dist/, no sources).
RUN for app in ingress worker dashboard; do \
      pnpm --filter "@zaprelay/$app" --prod deploy --legacy "/out/$app" || exit 1; \
    done

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
# Workspace packages export their compiled JavaScript under this condition (their sources are not in the image).
ENV NODE_OPTIONS=--conditions=zaprelay-compiled
WORKDIR /app
COPY --from=build --chown=root:root /out /app
USER node
EXPOSE 3000 3001 9464
# The ingress's heap flags (as in `pnpm start:prod:ingress`, docker-compose and deploy/k8s): a 4 MB semi-space
# instead of V8's 16 MB, an old space let grow to 1.5× what survived the last full GC instead of up to 4×, and
# 2 V8 helper threads instead of 4 (fewer malloc arenas; more only contend on a small CPU share). Under 50
# connections of webhooks its RSS peaks near 100 MB instead of 200 MB, for about 20% more CPU per request at
# saturation (more, smaller GCs; see README). No flag caps the heap: a 32 MB webhook body fits as before.
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=50", "--v8-pool-size=2", "ingress/dist/main.bundle.js"]
