#!/usr/bin/env bash
# Runs the exporter and the importer as two processes (optionally as two
# simulated nodes of the reference's shm backend) and checks both succeed.
# The importer starts when the exporter has printed its segment id: a
# handshake on the exporter's stdout (a FIFO), not a sleep.
#   usage: run_pair.sh <exporter> <importer>
set -euo pipefail
exporter=$1 importer=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkfifo "$dir/out"
RSMKIT_NODE_ID=${EXPORTER_NODE:-1} "$exporter" > "$dir/out" &
epid=$!
exec 3< "$dir/out"
read -r -t 30 word id <&3 || { echo "exporter did not publish within 30 s"; kill "$epid"; exit 1; }
[ "$word" = published ] || { echo "unexpected exporter output: $word $id"; kill "$epid"; exit 1; }
echo "exporter published segment $id"
RSMKIT_NODE_ID=${IMPORTER_NODE:-1} "$importer" "${EXPORTER_NODE:-1}" "$id"
cat <&3
wait "$epid"
