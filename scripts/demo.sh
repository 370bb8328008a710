#!/usr/bin/env bash
# README command 1: install everything, then run the main job on a generated
# sample — a ~1 GB CSV with realistic dirt becomes a compressed .oc file inside
# a 256 MiB memory budget — and show what came out.
# Override: SAMPLE_SIZE=10G MEMORY_LIMIT=512MiB scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh

SAMPLE_SIZE="${SAMPLE_SIZE:-1G}"
MEMORY_LIMIT="${MEMORY_LIMIT:-256MiB}"
mkdir -p sample
echo
echo "==> outcore gen --size $SAMPLE_SIZE -o sample/sample.csv"
[ -f "sample/sample-$SAMPLE_SIZE.csv" ] || outcore gen --size "$SAMPLE_SIZE" --seed 1 -o "sample/sample-$SAMPLE_SIZE.csv"
echo
echo "==> outcore ingest sample/sample-$SAMPLE_SIZE.csv -o sample/sample.oc --memory-limit $MEMORY_LIMIT --reject sample/rejects.csv --index topic,day"
outcore ingest "sample/sample-$SAMPLE_SIZE.csv" -o sample/sample.oc --memory-limit "$MEMORY_LIMIT" --reject sample/rejects.csv \
  --index topic,day
echo
echo "==> outcore info sample/sample.oc"
outcore info sample/sample.oc
echo
echo "==> outcore cat sample/sample.oc --columns id,topic,word,price --limit 5"
outcore cat sample/sample.oc --columns id,topic,word,price --limit 5
echo
WHERE="topic == 'food' and day between '2016-03-01' and '2016-03-07' and price > 100"
echo "==> outcore cat sample/sample.oc --where \"$WHERE\" --columns id,topic,day,price --limit 5"
outcore cat sample/sample.oc --where "$WHERE" --columns id,topic,day,price --limit 5
echo "==> ... --explain (last line: what the indexes and zone maps let it skip)"
outcore cat sample/sample.oc --where "$WHERE" --explain | tail -1
echo
echo "==> head -3 sample/rejects.csv"
head -3 sample/rejects.csv
