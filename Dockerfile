# The accessgap image for a cluster (deploy/k8s, deploy/slurm, accessgap worker): Node 20 on
# Debian, the project built from this checkout. Every pod or task runs the same image, so every
# shard runs the same engine version (accessgap merge checks it).
#   docker build -t accessgap .
#   docker run --rm -v "$PWD/data:/data" accessgap run /data/scenario.yaml --shard 1/4 --out /data/parts/shard-1
FROM node:20-bookworm-slim
WORKDIR /opt/accessgap
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY src ./src
COPY bin ./bin
COPY data ./data
COPY schema ./schema
COPY tsconfig.json tsconfig.types.json ./
# npm ci runs the build (prepare): the WebAssembly day loop and the bundled CLI in dist/.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund
ENTRYPOINT ["node", "/opt/accessgap/bin/accessgap.js"]
