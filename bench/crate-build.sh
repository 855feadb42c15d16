#!/usr/bin/env bash
# Times the release build of one dependency alone at a given opt-level and codegen-units,
# its own dependencies already built: how the release profile's per-crate settings were
# chosen (README "Build time"). Run it once first to build the dependencies, then per
# setting, with the machine otherwise idle:
#
#   bench/crate-build.sh aws-sdk-kms 3 4
#   bench/crate-build.sh aws-sdk-kms 0 4
set -euo pipefail
crate=${1:?usage: bench/crate-build.sh CRATE OPT-LEVEL CODEGEN-UNITS} opt=${2:?} cgu=${3:?}
cd "$(dirname "$0")/.."
cargo clean --release -p "$crate" >/dev/null 2>&1
steal() { awk '/^cpu /{print $9}' /proc/stat; }
before=$(steal)
times=$(mktemp)
/usr/bin/time -f "%e %U %S" -o "$times" cargo build --release --locked -p "$crate" \
  --config "profile.release.package.$crate.opt-level=$opt" \
  --config "profile.release.package.$crate.codegen-units=$cgu" >/dev/null 2>&1
read -r wall user sys < "$times"
rm -f "$times"
# Steal time is CPU the hypervisor gave to someone else: a run with much of it says little.
echo "$crate opt-level=$opt codegen-units=$cgu: wall ${wall}s, user ${user}s, sys ${sys}s, steal $(( ($(steal) - before) / 100 ))s"
