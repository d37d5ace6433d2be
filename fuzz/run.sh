#!/usr/bin/env bash
# Coverage-guided fuzzing of incidex's input stages with atheris (libFuzzer for Python).
#
#   fuzz/run.sh [SECONDS] [HARNESS...]
#
# Runs each harness (default: clean, extract, feeds, jsonl, warc) for SECONDS (default 60)
# on its corpus fuzz/corpus/<name>/, seeded from the bundled samples and tests/inputs by
# fuzz/seed.py and grown with every input that reaches new code; fuzz/dicts/<name>.dict
# gives the mutator the tokens of its format (tags, JSON keys, WARC headers). A crash, a
# failed property or an input running over TIMEOUT seconds stops that harness and is saved
# in fuzz/crashes/<name>/; replay it with `python fuzz/fuzz_<name>.py fuzz/crashes/<name>/FILE`.
# Exit status: 0 when every harness ran clean, 1 otherwise. Needs `pip install -e ".[test]"`.
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-60}"
shift || true
TIMEOUT="${FUZZ_TIMEOUT:-20}"  # seconds one input may take before it counts as a hang
RSS_LIMIT_MB="${FUZZ_RSS_LIMIT_MB:-4096}"  # memory one run may use before it counts as a leak
PYTHON="${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}"
if [ "$#" -gt 0 ]; then harnesses=("$@"); else harnesses=(clean extract feeds jsonl warc); fi

"$PYTHON" fuzz/seed.py fuzz/corpus
status=0
for name in "${harnesses[@]}"; do
    mkdir -p "fuzz/crashes/$name"
    echo "== $name: ${SECONDS_EACH}s on fuzz/corpus/$name" >&2
    if ! "$PYTHON" "fuzz/fuzz_$name.py" "fuzz/corpus/$name" -dict="fuzz/dicts/$name.dict" \
        -max_total_time="$SECONDS_EACH" -timeout="$TIMEOUT" -rss_limit_mb="$RSS_LIMIT_MB" \
        -artifact_prefix="fuzz/crashes/$name/" -print_final_stats=1; then
        echo "== $name: FAILED, input saved in fuzz/crashes/$name/" >&2
        status=1
    fi
done
exit "$status"
