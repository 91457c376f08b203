# One image for every process; docker-compose picks the entry point.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
RUN npm install -g pnpm@10.34.8
COPY . .
# Production dependencies only: TypeScript runs through tsx, no build step.
RUN pnpm install --frozen-lockfile --prod
USER node
CMD ["node", "--import", "tsx", "apps/ingress/src/main.ts"]
