# The daily backtest's image for ECS Fargate (serverless.yml: BacktestTaskDefinition; the whole
# route in docs/backtest-on-aws.md).
#
#   docker build --platform linux/amd64 -t candlelake-backtest .
#
# --platform: npm installs the DuckDB binding of the platform it runs on, and the task definition
# asks for X86_64. Built on an arm64 machine without it, the image would carry the arm64 binding.
#
# Two stages. The build stage installs every dependency and bundles the task with esbuild, as
# serverless-esbuild bundles the Lambda functions: one ESM file with the same externals. The
# runtime stage holds the bundle and the only packages a bundle cannot hold, DuckDB's (a native
# addon and libduckdb.so), resolved from /app/node_modules by Node's ordinary lookup.
# test/deploy/backtest-stack.test.ts replays both stages without Docker and runs the result.

FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY functions ./functions
COPY lib ./lib
# The task, then the grid worker. Worker threads start from a JavaScript file of their own
# (lib/backtest/grid-runner.ts), and there is no esbuild at run time to build one from
# grid-worker.ts (lib/backtest/grid-worker-script.ts, hence --external:esbuild: its optional
# import() fails and it falls back to grid-worker-entry.mjs beside the bundle). So the worker is
# bundled here too, and grid-worker-entry.mjs, the name that fallback looks for, loads it.
# Externals as in serverless.yml's custom.esbuild: DuckDB (native), protobufjs and ccxt's dYdX
# modules (never reached for Binance).
RUN node_modules/.bin/esbuild functions/backtest/task.ts \
      --bundle --platform=node --target=node22 --format=esm \
      --outfile=dist/task.mjs --sourcemap --sources-content=false \
      "--banner:js=import { createRequire as __candlelakeCreateRequire } from 'node:module'; const require = __candlelakeCreateRequire(import.meta.url);" \
      --external:@duckdb/node-api --external:@duckdb/node-bindings --external:@duckdb/node-bindings-linux-x64 \
      --external:protobufjs \
      --external:../static_dependencies/dydx-v4-client/registry.js \
      "--external:../static_dependencies/dydx-v4-client/cosmos/*" \
      --external:esbuild \
      --log-level=warning \
 && node_modules/.bin/esbuild lib/backtest/grid-worker.ts \
      --bundle --platform=node --target=node22 --format=esm \
      --outfile=dist/grid-worker.mjs \
      "--banner:js=import { createRequire as __candlelakeCreateRequire } from 'node:module'; const require = __candlelakeCreateRequire(import.meta.url);" \
      --log-level=warning \
 && printf "import './grid-worker.mjs';\n" > dist/grid-worker-entry.mjs

FROM node:22-slim
ENV NODE_ENV=production NODE_OPTIONS=--enable-source-maps CANDLELAKE_CACHE_DIR=/tmp/candlelake/cache
WORKDIR /app
COPY --from=build /app/dist ./dist
# node-api, node-bindings and the linux-x64 binding (duckdb.node finds libduckdb.so beside it);
# node-bindings requires detect-libc to choose between glibc and musl.
COPY --from=build /app/node_modules/@duckdb ./node_modules/@duckdb
COPY --from=build /app/node_modules/detect-libc ./node_modules/detect-libc
# The image's own unprivileged user; it writes only to /tmp (the DuckDB S3 cache).
USER node
CMD ["node", "dist/task.mjs"]
