#!/usr/bin/env bash
# Runs the exporter and the importer as two processes (optionally as two
# simulated nodes of the reference's shm backend) and checks both succeed.
# The importer starts when the exporter has printed its segment id: a
# handshake on the exporter's stdout, not a sleep.
#   usage: run_pair.sh <exporter> <importer>
set -euo pipefail
exporter=$1 importer=$2
coproc EXP { RSMKIT_NODE_ID=${EXPORTER_NODE:-1} exec "$exporter"; }
epid=$EXP_PID  # bash unsets EXP_PID when the coprocess ends
out=${EXP[0]}
read -r -t 30 word id <&"$out" || { echo "exporter did not publish within 30 s"; exit 1; }
[ "$word" = published ] || { echo "unexpected exporter output: $word $id"; exit 1; }
echo "exporter published segment $id"
RSMKIT_NODE_ID=${IMPORTER_NODE:-1} "$importer" "${EXPORTER_NODE:-1}" "$id"
cat <&"$out"
wait "$epid"
