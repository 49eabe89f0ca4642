#!/usr/bin/env bash
# The SEC-35 measurement of docs/admission.md: a 3-node cluster of separate processes on 127.0.0.1, a generation
# flood with fresh requesters, and one honest requester timing its shadow retrievals before and during it.
# usage: flood-run.sh <label> <on|off> <flood-source-addresses> <offered-per-second> <connections> <flood-ports>
#   e.g. docs/admission/flood-run.sh a on 1 200 64 23110,23111,23112
# on: the default limits; off: every admission limit 0; EXTRA='option = value\n...' replaces the limits.
# The flood runs under nice -n 19 unless FLOOD_PREFIX says otherwise (FLOOD_PREFIX= runs it at normal priority).
# Needs cli/target/secretstore.jar (./mvnw -o -B -q -pl cli -am package -DskipTests) and curl.
set -euo pipefail
label=$1; mode=$2; sources=$3; rate=$4; threads=$5; fports=$6
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
JAR="$ROOT/cli/target/secretstore.jar"
TOOL="$ROOT/docs/admission/Flood.java"
D="${TMPDIR:-/tmp}/admission-flood-$label"
rm -rf "$D"
java -jar $JAR init-cluster --nodes 3 --dir "$D" --base-port 23100 --http-base-port 23110 --ops-base-port 23120 >/dev/null
for i in 0 1 2; do
  if [ "$mode" = off ]; then
    extra='address_rate_limit = 0\naddress_concurrency_limit = 0\ngeneration_rate_limit = 0\nconcurrency_limit = 0\ngeneration_concurrency_limit = 0\n'
  elif [ -n "${EXTRA:-}" ]; then
    extra="$EXTRA"
  else
    extra='address_rate_limit = 200\naddress_concurrency_limit = 32\ngeneration_rate_limit = 20\nconcurrency_limit = 256\ngeneration_concurrency_limit = 8\n'
  fi
  sed -i "s/^\[secretstore_ext\]$/[secretstore_ext]\n$extra/" "$D/node-$i.toml"
done
pids=()
for i in 0 1 2; do
  java -jar $JAR node --config "$D/node-$i.toml" > "$D/node-$i.log" 2>&1 &
  pids+=($!)
done
for t in $(seq 1 60); do
  ok=0
  for i in 0 1 2; do
    c=$(curl -s http://127.0.0.1:$((23120+i))/metrics | grep '^secretstore_cluster_peers_connected' | awk '{print $2}' || true)
    [ "${c:-0}" = 2 ] && ok=$((ok+1))
  done
  [ $ok = 3 ] && break
  sleep 1
done
echo "== $label (limits $mode, flood from $sources address(es), $rate/s offered, $threads connections, to ports $fports) load: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$D/go"
${FLOOD_PREFIX-nice -n 19} java -cp $JAR "$TOOL" flood "${fports}" "$sources" "$rate" "$threads" "$D/go" > "$D/flood.out" 2>&1 &
fl=$!
java -cp $JAR "$TOOL" honest 23110 "$D/go" || true
wait $fl || true
cat "$D/flood.out"
for p in "${pids[@]}"; do kill "$p"; done
wait 2>/dev/null || true
