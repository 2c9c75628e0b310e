#!/usr/bin/env bash
# Installs every Debian 12 package that seglog's build, tests, benchmarks and examples need.
#
#   cmake/install-deps.sh            what the README's two commands need (gcc build, tests, demo)
#   cmake/install-deps.sh --checks   also what CI's checking stages need: clang 14 with its sanitizer and
#                                    libFuzzer runtimes (the clang-tsa, tsan and fuzz presets)
#
# Idempotent: when everything is already installed it does nothing and needs no network.
# Runs as root, or through sudo when not root. Fails loudly (non-zero exit, message on stderr).
set -euo pipefail

checks=0
for arg in "$@"; do
  case "$arg" in
    --checks) checks=1 ;;
    *) echo "install-deps: unknown argument $arg (usage: install-deps.sh [--checks])" >&2; exit 2 ;;
  esac
done

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # libraries seglog links
  libabsl-dev libfmt-dev libisal-dev zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev
  libcli11-dev nlohmann-json3-dev
  # tests and benchmarks
  catch2 libbenchmark-dev libssl-dev
  # the peers bench/compare measures seglog against, and gnuplot for its charts
  librocksdb-dev liblmdb-dev libsqlite3-dev gnuplot-nox
  # kafka-python's independent decoder, used by the cross-check test (run with /usr/bin/python3)
  python3 python3-kafka python3-snappy python3-lz4 python3-zstandard
)
if ((checks)); then
  # clang 14 (-Wthread-safety), its ThreadSanitizer/ASan/libFuzzer runtimes, and llvm-symbolizer for reports
  PACKAGES+=(clang-14 libclang-rt-14-dev llvm-14)
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=()
if ((EUID != 0)); then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "install-deps: not root and no sudo; install as root: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q || { echo "install-deps: apt-get update failed" >&2; exit 1; }
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" || {
  echo "install-deps: apt-get install failed for: ${missing[*]}" >&2
  exit 1
}
echo "install-deps: done"
