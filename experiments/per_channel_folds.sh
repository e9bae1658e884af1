#!/usr/bin/env bash
# Out-of-fold character probabilities for the v3 members' recipes and the e5-v3 recipe (e5 + other languages'
# gold), exported per output channel like the shipped encoders (see docs/RESEARCH_LOG.md, "PTC span models").
# Resumable: a fold whose file exists is skipped, so on 2 CPU cores it can run across several starts (~20 min a
# MiniLM fold, ~60-70 min an e5 fold). DEVICE=cuda runs on a GPU machine (then all fifteen fit in minutes).
set -euo pipefail
DATA=${DATA:-../shared/data}
OUT=${OUT:-build/oof-folds-pc}
DEVICE=${DEVICE:-cpu}
UNSPIN=${UNSPIN:-.venv/bin/unspin}

fold() {  # fold MEMBER ENCODER K [extra args]
  local member=$1 encoder=$2 k=$3; shift 3
  local file="$OUT/$member/oof-$encoder-fold$k.npz"
  if [[ -f $file ]]; then echo "have $file"; return; fi
  echo "=== $member fold $k $(date -u +%H:%M:%S)"
  "$UNSPIN" train span-folds --data "$DATA" --encoder "$encoder" --fold "$k" --device "$DEVICE" \
    --out "$OUT/$member" "$@"
}

for k in 0 1 2 3 4; do fold ptc-spans-minilm-v4 minilm "$k"; done
for k in 0 1 2 3 4; do fold ptc-spans-e5-v2 e5 "$k"; done
for k in 0 1 2 3 4; do fold ptc-spans-e5-v3 e5 "$k" --semeval2023-per-language 15; done
echo "=== all folds present $(date -u +%H:%M:%S)"
