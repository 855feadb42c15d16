#!/usr/bin/env bash
# tomscan beside Prowler on one seeded moto account (bench/peers.py): builds the release
# binary, finds or installs moto, and installs Prowler from PyPI into its own venv once.
# Flags pass through: --latency-ms 50 --users 10 --buckets 6 --instances 2 --regions a,b
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/moto-python.sh
prowler="$target/prowler-venv/bin/prowler"
if [ ! -x "$prowler" ]; then
  echo "installing ${PROWLER:-prowler==5.46.0} into $target/prowler-venv (once) ..." >&2
  "${PYTHON:-python3}" -m venv "$target/prowler-venv"
  "$target/prowler-venv/bin/pip" install --quiet --disable-pip-version-check "${PROWLER:-prowler==5.46.0}"
fi
exec "$python" bench/peers.py --tomscan "$tomscan" --prowler "$prowler" "$@"
