#!/usr/bin/env bash
# The collapse study (issue 14, README "Collapse study"): one small Fashion-MNIST configuration whose G learns 25×
# faster than D, trained three times from the same seed:
#   warn      trains on to the end: its last checkpoint is the final, collapsed G; events.jsonl says when the signals fired
#   stop      ends at the first event; result.txt names the checkpoint the detector picked (the last one before it)
#   rollback  resumes from that checkpoint with both learning rates halved (at most twice), then trains on or stops
# then plots σ0 of every weight (rawgan sv-trace) and scores G_ema of the picked checkpoint, the final collapsed one and
# the rollback run's last one (rawgan eval), into OUT/summary.md.
#
#   tools/collapse-study.sh [OUT] [more rawgan train options, e.g. --steps 3000 --device cuda]
#
# The detector acts on σ0 growth alone after G_ema starts (--collapse-signals 1 --collapse-warmup 200): here G collapses
# within each class, which the whole-sheet sample diversity does not see, and D's real loss never nears zero.
# OUT defaults to runs/collapse. A run whose folder exists is kept (delete it to train it again), so the study resumes
# after the last finished run. RAWGAN overrides the command (default: dotnet run -c Release --project src/Cli --);
# SAMPLES the generated images per score (default 10000). Needs the Fashion-MNIST classifier
# (rawgan classifier train --data fashion-mnist) and python3 for the summary.
set -euo pipefail

out=${1:-runs/collapse}
shift $(( $# > 0 ? 1 : 0 ))
read -r -a rawgan <<< "${RAWGAN:-dotnet run -c Release --project src/Cli --}"
samples=${SAMPLES:-10000}
defaults=(--data fashion-mnist --ch 4 --batch-size 8 --g-lr 0.005 --d-lr 0.0002 --steps 1000
          --sample-every 25 --checkpoint-every 50 --keep 1000 --sv-every 10 --eval-every 250 --eval-samples 1000
          --collapse-signals 1 --collapse-warmup 200)
config=()  # the defaults the command line does not set again (rawgan takes each option once)
for (( i = 0; i < ${#defaults[@]}; i += 2 )); do
    [[ " $* " == *" ${defaults[i]} "* ]] || config+=("${defaults[i]}" "${defaults[i + 1]}")
done

mkdir -p "$out"
for mode in warn stop rollback; do
    if [[ -d $out/$mode ]]; then echo "== $mode: $out/$mode exists, kept"; continue; fi
    echo "== $mode"
    rc=0
    "${rawgan[@]}" train "${config[@]}" "$@" --on-collapse "$mode" --runs "$out" --name "$mode" || rc=$?
    # 4 is a run that ended on a collapse (stop, or rollback out of rollbacks): the result the study wants.
    if (( rc != 0 && rc != 4 )); then echo "collapse-study: rawgan train --on-collapse $mode failed (exit $rc)" >&2; exit "$rc"; fi
done

"${rawgan[@]}" sv-trace "$out/warn" --source csv

newest() { ls "$1"/checkpoints/step_*.safetensors 2>/dev/null | sort | tail -n 1; }
picked=$(sed -n 's/^checkpoint: //p' "$out/stop/result.txt" 2>/dev/null || true)
[[ -f $picked ]] || picked=""
final=$(newest "$out/warn")
rolled=$(newest "$out/rollback")
for ckpt in "$picked" "$final" "$rolled"; do
    [[ -n $ckpt ]] && "${rawgan[@]}" eval "$ckpt" --truncation none --samples "$samples"
done

python3 - "$out" "$picked" "$final" "$rolled" > "$out/summary.md" <<'EOF'
import json, os, sys
out, picked, final, rolled = sys.argv[1:5]

def lines(path):
    return [json.loads(l) for l in open(path) if l.strip()] if os.path.exists(path) else []

def score(ckpt):
    rows = [r for r in lines(os.path.join(os.path.dirname(os.path.dirname(ckpt)), "eval.jsonl"))
            if r.get("source") == "eval" and os.path.basename(r["checkpoint"]) == os.path.basename(ckpt) and r["truncation"] is None]
    return f"IS {rows[-1]['is_mean']:.3f}, FID {rows[-1]['fid']:.2f}" if rows else "not scored"

print(f"# Collapse study in {out}\n")
events = lines(os.path.join(out, "warn", "events.jsonl"))
print("## Events of the warn run\n")
print("| step | signals fired | last checkpoint before it |\n|---|---|---|")
for e in events:
    fired = ", ".join(s["name"] + (f" ({s['layer']})" if s.get("layer") else "") for s in e["signals"] if s["fired"])
    print(f"| {e['step']} | {fired} | {os.path.basename(e.get('checkpoint') or 'none')} |")
if not events:
    print("| - | no event fired: raise --g-lr or --steps | - |")
print("\n## Scores of G_ema (untruncated)\n")
for name, ckpt in [("picked by the detector (stop)", picked), ("final, collapsed (warn)", final), ("after rollback", rolled)]:
    print(f"- {name}: {os.path.relpath(ckpt, out) + ': ' + score(ckpt) if ckpt else 'none'}")
for mode in ("stop", "rollback"):
    for e in lines(os.path.join(out, mode, "events.jsonl")):
        print(f"- {mode} run: {e['event']} at step {e['step']} ({e['action']}), G lr {e['g_lr']:g}, D lr {e['d_lr']:g}")
print(f"\nσ0 plots: {out}/warn/sv-G.png, {out}/warn/sv-D.png")
EOF
cat "$out/summary.md"
