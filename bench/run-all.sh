#!/usr/bin/env bash
# Builds seglog-perf and seglog-compare, runs every benchmark on the results page and rewrites its numbers
# and charts (bench/README.md, bench/results/). About 10 minutes on a 2-core machine.
#
#   bench/run-all.sh                  # the real run
#   bench/run-all.sh --quick          # small sizes, to try it (the page says so)
#   TMPDIR=/mnt/nvme bench/run-all.sh # benchmark files on another file system
set -euo pipefail
cd "$(dirname "$0")/.."

cmake/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default --target seglog_perf seglog_compare
exec /usr/bin/python3 bench/results.py --build build/default "$@"
