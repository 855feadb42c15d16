#!/usr/bin/env bash
# Reports of a million findings (bench/findings.py): builds the release binary (PROFILE=fleet
# for the fleet build) and times evaluate, merge and diff at that size. Flags pass through:
# --accounts 5465 --held --keep DIR
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
profile="${PROFILE:-release}"
cargo build --profile "$profile" --locked --bin tomscan
exec "${PYTHON:-python3}" bench/findings.py --tomscan "$target/$profile/tomscan" "$@"
