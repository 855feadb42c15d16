#!/usr/bin/env bash
# Reports of a million findings (bench/findings.py): builds the release binary and times
# evaluate, merge and diff at that size. Flags pass through: --accounts 5465 --held --keep DIR
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
cargo build --release --locked --bin tomscan
exec "${PYTHON:-python3}" bench/findings.py --tomscan "$target/release/tomscan" "$@"
