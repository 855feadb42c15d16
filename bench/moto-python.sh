# Sourced by the benchmark scripts: builds the binary, `$tomscan` (the release profile, or
# PROFILE=fleet for the build with the SDK at opt-level 3, Cargo.toml), and sets `python`
# to a Python with moto and boto3, the one given (PYTHON, else python3) or, lacking them,
# a venv under the target directory where the tests' pinned moto is installed once.
target="${CARGO_TARGET_DIR:-target}"
profile="${PROFILE:-release}"
cargo build --profile "$profile" --locked --bin tomscan
tomscan="$target/$profile/tomscan"
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
