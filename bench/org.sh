#!/usr/bin/env bash
# The organization benchmark (bench/org.py): builds the release binary (the same build as
# `cargo install`, no second copy of the SDK; PROFILE=fleet for the fleet build), finds or
# installs moto, and runs it.
# Flags pass through: --sizes 1,5,20,50 --latency-ms 50 --concurrency 4 --regions a,b
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/moto-python.sh
exec "$python" bench/org.py --tomscan "$tomscan" "$@"
