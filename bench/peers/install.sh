#!/usr/bin/env bash
# Installs the peer systems for bench/peers/run.js into the git-ignored folder bench/peers/.peers/, each in its own
# folder with its own package.json and lockfile, so the workspace's package.json and package-lock.json stay untouched.
#   bash bench/peers/install.sh              Node-RED 4.1.8 only (~100 MB)
#   bash bench/peers/install.sh --with-n8n   also n8n 1.123.81 (~1.8 GB, ~10 minutes on 2 cores)
# Registry only: install scripts run only for the packages listed in each folder's allowScripts, and native addons
# are compiled from source (npm_config_build_from_source) instead of fetching prebuilt binaries from elsewhere.
# n8n's other install scripts (ssh2, cpu-features, oracledb, protobufjs, msgpackr-extract, @parcel/watcher,
# @sentry-internal/node-native-stacktrace, @scarf/scarf) stay skipped: a webhook -> Set workflow needs none of them.
# npm prints "Unknown env config build-from-source" for the n8n install: harmless, the variable is for the addons.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PEERS="$HERE/.peers"
WITH_N8N=0
for a in "$@"; do
  case "$a" in
    --with-n8n) WITH_N8N=1 ;;
    -h|--help) sed -n 2,7p "$0"; exit 0 ;;
    *) echo "unknown option: $a" >&2; exit 2 ;;
  esac
done

NODE_RED_VERSION=4.1.8
N8N_VERSION=1.123.81

installed_version() { # <folder> <package>
  node -e 'try{process.stdout.write(require(process.argv[1]).version)}catch{}' "$1/node_modules/$2/package.json" 2>/dev/null || true
}

npm_install() { # <folder> [VAR=value ...]  (extra environment for the install, e.g. for native addons)
  local dir="$1"; shift
  ( cd "$dir" && env "$@" npm install --no-audit --no-fund --no-update-notifier \
      --install-strategy=hoisted --loglevel=warn )
}

# ---------------------------------------------------------------- Node-RED
NR="$PEERS/node-red"
mkdir -p "$NR"
if [ "$(installed_version "$NR" node-red)" = "$NODE_RED_VERSION" ]; then
  echo "node-red $NODE_RED_VERSION already installed in $NR"
else
  cat > "$NR/package.json" <<JSON
{
  "name": "flowork-bench-peer-node-red",
  "private": true,
  "description": "Node-RED for bench/peers (not part of the workspace)",
  "dependencies": { "node-red": "$NODE_RED_VERSION" },
  "allowScripts": {}
}
JSON
  echo "installing node-red@$NODE_RED_VERSION into $NR ..."
  npm_install "$NR"
  echo "node-red $(installed_version "$NR" node-red) installed"
fi

# ---------------------------------------------------------------- n8n
if [ "$WITH_N8N" = 1 ]; then
  N8N="$PEERS/n8n"
  mkdir -p "$N8N"
  if [ "$(installed_version "$N8N" n8n)" = "$N8N_VERSION" ] && [ -e "$N8N/.installed" ]; then
    echo "n8n $N8N_VERSION already installed in $N8N"
  else
    # xlsx: n8n pins a tarball on SheetJS's own CDN (not the registry) -> the registry's last release, 0.18.5.
    # isolated-vm: 5.0.4 builds with node-gyp against Node 20's headers.
    # sqlite3 and isolated-vm are native addons: their install scripts are allowed here (and only here), and
    # npm_config_build_from_source makes prebuild-install compile instead of downloading from GitHub.
    cat > "$N8N/package.json" <<JSON
{
  "name": "flowork-bench-peer-n8n",
  "private": true,
  "description": "n8n for bench/peers (not part of the workspace)",
  "dependencies": { "n8n": "$N8N_VERSION" },
  "overrides": { "xlsx": "0.18.5", "isolated-vm": "5.0.4" },
  "allowScripts": { "sqlite3": true, "isolated-vm": true }
}
JSON
    rm -f "$N8N/.installed"
    echo "installing n8n@$N8N_VERSION into $N8N (about 1.8 GB; native addons compile from source) ..."
    npm_install "$N8N" npm_config_build_from_source=true
    node -e 'require(process.argv[1])' "$N8N/node_modules/sqlite3" \
      || { echo "sqlite3 native addon did not build" >&2; exit 1; }
    touch "$N8N/.installed"
    echo "n8n $(installed_version "$N8N" n8n) installed"
  fi
fi
du -sh "$PEERS/node-red" "$PEERS/n8n" 2>/dev/null || true
