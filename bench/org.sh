#!/usr/bin/env bash
# The organization benchmark (bench/org.py): builds the release binary (the same build as
# `cargo install`, no second copy of the SDK), finds or installs moto, and runs it.
# Flags pass through: --sizes 1,5,20,50 --latency-ms 50 --concurrency 4 --regions a,b
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
cargo build --release --locked --bin tomscan
python="${PYTHON:-python3}"
if ! "$python" -c 'import moto.server, boto3' 2>/dev/null; then
  python="$target/moto-venv/bin/python"
  if ! "$python" -c 'import moto.server, boto3' 2>/dev/null; then
    requirement=$(sed -n 's/^pub const MOTO_REQUIREMENT: &str = "\(.*\)";/\1/p' tests/support/mod.rs)
    echo "installing $requirement into $target/moto-venv (once) ..." >&2
    "${PYTHON:-python3}" -m venv "$target/moto-venv"
    "$python" -m pip install --quiet --disable-pip-version-check "$requirement"
  fi
fi
exec "$python" bench/org.py --tomscan "$target/release/tomscan" "$@"
