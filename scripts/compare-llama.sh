#!/usr/bin/env bash
# Same-machine comparison with llama.cpp: for each GGUF file, llama-bench and `gemma bench` run back to back
# (same file, threads, prompt and generation lengths), ROUNDS times, alternating, so both see the same machine
# state. Prints one line per run and a summary of the ratios (gemma4j / llama.cpp).
#
#   LLAMA_BENCH=/path/to/llama-bench scripts/compare-llama.sh model1.gguf [model2.gguf ...]
#
# THREADS, PP, TG, ROUNDS and DEPTH (tokens already in the context when each test starts, llama-bench's -d) override
# the defaults 2, 128, 64, 2 and 0; PP=0 or TG=0 leaves that test out.
#
# llama.cpp is not part of this project: build it yourself, outside the repository.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
: "${LLAMA_BENCH:?set LLAMA_BENCH to a llama-bench binary}"
threads="${THREADS:-2}"
pp="${PP:-128}"
tg="${TG:-64}"
rounds="${ROUNDS:-2}"
depth="${DEPTH:-0}"
for model in "$@"; do
  for round in $(seq 1 "$rounds"); do
    # llama-bench reports one result per test: prefill (n_gen 0) and decode (n_gen > 0)
    l=$("$LLAMA_BENCH" -m "$model" -t "$threads" -p "$pp" -n "$tg" -d "$depth" -o json 2>/dev/null \
      | python3 -c 'import json,sys; r=json.load(sys.stdin)
pp=[x["avg_ts"] for x in r if x["n_gen"]==0]; tg=[x["avg_ts"] for x in r if x["n_gen"]>0]
print(pp[0] if pp else "nan", tg[0] if tg else "nan")')
    g=$("$root/gemma" bench --model "$model" -p "$pp" -n "$tg" -d "$depth" -t "$threads" --json 2>/dev/null | tail -1 \
      | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["pp_tps"], r["tg_tps"])')
    read -r lpp ltg <<<"$l"
    read -r gpp gtg <<<"$g"
    python3 -c "
import math, sys
n, lpp, ltg, gpp, gtg, depth = sys.argv[1], *map(float, sys.argv[2:6]), int(sys.argv[6])
at = f' @ d{depth}' if depth else ''
def part(name, l, g):
    return f'{name}{at}: llama.cpp {l:.2f} gemma4j {g:.2f} ({g / l:.2f}x)' if l > 0 and g > 0 and not math.isnan(l) else ''
print(n + ': ' + ' | '.join(p for p in (part('pp$pp', lpp, gpp), part('tg$tg', ltg, gtg)) if p))" \
      "$(basename "$model")" "$lpp" "$ltg" "$gpp" "$gtg" "$depth"
  done
done
