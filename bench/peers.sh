#!/usr/bin/env bash
# tomscan beside Prowler on one seeded moto account (bench/peers.py): builds the release
# binary, finds or installs moto, and installs Prowler from PyPI into its own venv once.
# Flags pass through: --latency-ms 50 --users 10 --buckets 6 --instances 2 --regions a,b
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
prowler="$target/prowler-venv/bin/prowler"
if [ ! -x "$prowler" ]; then
  echo "installing ${PROWLER:-prowler==5.46.0} into $target/prowler-venv (once) ..." >&2
  "${PYTHON:-python3}" -m venv "$target/prowler-venv"
  "$target/prowler-venv/bin/pip" install --quiet --disable-pip-version-check "${PROWLER:-prowler==5.46.0}"
fi
exec "$python" bench/peers.py --tomscan "$target/release/tomscan" --prowler "$prowler" "$@"
