#!/usr/bin/env bash
# Builds the release binary and the benchmark, then seeds moto and measures a scan.
# Flags pass through: --users N --buckets N --instances N --security-groups N --regions a,b
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin tomscan --example bench
exec target/release/examples/bench "$@"
