#!/usr/bin/env bash
# Best-effort build of the native TensorFlow backend (@tensorflow/tfjs-node) into native/.
# Never fails setup: where it cannot build, it prints one line saying why and workers stay on wasm.
#
# Why not an npm dependency: tfjs-node's install script downloads libtensorflow from a host this
# network cannot reach, so `npm ci` would fail. The PyPI wheel tensorflow-cpu carries the same C
# API (libtensorflow_cc.so.2 exports every TF_*/TFE_* symbol the binding calls, plus headers), so
# the package is installed with --ignore-scripts and its addon is compiled against the wheel.
#
# Env: FAULTLINE_NATIVE_TF=0 skips it; FAULTLINE_CACHE_DIR (default ~/.cache/faultline) keeps the
# ~230 MB wheel between runs and clones (CI caches this folder).
set -uo pipefail
cd "$(dirname "$0")/.."

TF_WHEEL_VERSION=2.18.1
# The wheel's Python tag does not matter (only its shared libraries are used); cp311 is pinned so
# the download is the same file on every machine.
TF_WHEEL_PY=311
NATIVE_DIR=native
PKG="$NATIVE_DIR/node_modules/@tensorflow/tfjs-node"
CACHE_DIR="${FAULTLINE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/faultline}/native-tf"
LOG=.data/native-tf-build.log
STAMP="$NATIVE_DIR/.built"

skip() {
  echo "setup: native TensorFlow backend not built ($1); workers use wasm"
  exit 0
}

[ "${FAULTLINE_NATIVE_TF:-1}" = "0" ] && skip "FAULTLINE_NATIVE_TF=0"
[ "$(uname -s)" = "Linux" ] && [ "$(uname -m)" = "x86_64" ] || skip "no tensorflow-cpu wheel for $(uname -s)/$(uname -m) wired here"
for tool in g++ make python3; do
  command -v "$tool" >/dev/null 2>&1 || skip "no $tool on PATH"
done
NODE_PREFIX="$(dirname "$(dirname "$(node -p 'process.execPath')")")"
# node-gyp would otherwise download the Node headers, which this network cannot reach.
[ -f "$NODE_PREFIX/include/node/node_api.h" ] || skip "no Node headers under $NODE_PREFIX/include/node (install nodejs-dev / the full Node tarball)"

# The build is keyed by everything that changes its output.
key="tfjs-node-lock=$(sha256sum "$NATIVE_DIR/package-lock.json" | cut -c1-16) tf=$TF_WHEEL_VERSION node=$(node -p 'process.versions.modules')"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$key" ] && ls "$PKG"/lib/napi-v*/tfjs_binding.node >/dev/null 2>&1; then
  echo "setup: native TensorFlow backend is built ($NATIVE_DIR, TensorFlow $TF_WHEEL_VERSION)"
  exit 0
fi

mkdir -p .data "$CACHE_DIR"
: >"$LOG"
step() {
  local what="$1"
  shift
  if ! "$@" >>"$LOG" 2>&1; then
    rm -f "$STAMP"
    skip "$what failed, see $LOG"
  fi
}

echo "setup: building the native TensorFlow backend (tfjs-node against tensorflow-cpu $TF_WHEEL_VERSION; ~1 min, log $LOG)"

wheel="$CACHE_DIR/tensorflow_cpu-$TF_WHEEL_VERSION-cp$TF_WHEEL_PY-cp$TF_WHEEL_PY-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
if [ ! -f "$wheel" ]; then
  py=python3
  [ -x .venv/bin/python ] && py=.venv/bin/python
  step "downloading the tensorflow-cpu wheel" "$py" -m pip download --disable-pip-version-check --quiet --no-deps --only-binary=:all: \
    --python-version "$TF_WHEEL_PY" --platform manylinux_2_17_x86_64 "tensorflow-cpu==$TF_WHEEL_VERSION" -d "$CACHE_DIR"
  [ -f "$wheel" ] || skip "pip did not produce $wheel"
fi

# --ignore-scripts: tfjs-node's install script would try the unreachable download.
step "npm ci in $NATIVE_DIR" npm ci --prefix "$NATIVE_DIR" --ignore-scripts --no-audit --no-fund
# One @tensorflow/tfjs-core per process: tfjs-node must register its backend with the instance
# the app uses, so native/ copies that the root node_modules also has (same version) are removed
# and Node's lookup walks up to the root ones.
dedupe() {
  local name
  for name in tfjs-core tfjs-backend-cpu tfjs-layers; do
    local nested="$NATIVE_DIR/node_modules/@tensorflow/$name" root="node_modules/@tensorflow/$name"
    [ -d "$nested" ] || continue
    local nv rv
    nv="$(node -p "require('./$nested/package.json').version")"
    rv="$(node -p "require('./$root/package.json').version")"
    [ "$nv" = "$rv" ] || { echo "$name: native/ has $nv, the app has $rv"; return 1; }
    rm -rf "$nested"
  done
}
step "matching tfjs versions (native/package.json vs package.json)" dedupe

# The shared libraries and the C API headers, from the wheel into the package's deps/.
extract() {
  rm -rf "$PKG/deps"
  mkdir -p "$PKG/deps/lib" "$PKG/deps/include"
  python3 - "$wheel" "$PKG/deps" <<'PY'
import sys, zipfile, shutil, os
wheel, deps = sys.argv[1], sys.argv[2]
inc = "tensorflow/include/"
want_inc = ("tensorflow/c/", "tensorflow/core/platform/ctstring", "tsl/platform/ctstring", "xla/tsl/c/")
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name in ("tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2"):
            target = os.path.join(deps, "lib", os.path.basename(name))
        elif name.startswith(inc) and name[len(inc):].startswith(want_inc) and name.endswith(".h"):
            target = os.path.join(deps, "include", name[len(inc):])
        else:
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(name) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
PY
  # The binding links -ltensorflow -ltensorflow_framework; libtensorflow.so.2.9.1 is the file
  # tfjs-node's own scripts check before they would download.
  (cd "$PKG/deps/lib" && ln -sf libtensorflow_cc.so.2 libtensorflow.so && ln -sf libtensorflow_cc.so.2 libtensorflow.so.2 &&
    ln -sf libtensorflow_cc.so.2 libtensorflow.so.2.9.1 && ln -sf libtensorflow_framework.so.2 libtensorflow_framework.so)
}
step "extracting the wheel" extract

build() {
  (cd "$PKG" && ../../.bin/node-pre-gyp rebuild --build-from-source --nodedir="$NODE_PREFIX")
}
step "compiling the tfjs-node addon" build

# Proof it loads and computes, with the app's tfjs-core (the check the worker's selection makes).
verify() {
  TF_CPP_MIN_LOG_LEVEL=2 node --input-type=module -e "
    const tf = await import('@tensorflow/tfjs-core');
    await import('./$PKG/dist/index.js');
    if (!(await tf.setBackend('tensorflow'))) throw new Error('setBackend(tensorflow) failed');
    const s = tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync();
    if (s[0] !== 3) throw new Error('matMul gave ' + s[0]);
  "
}
step "loading the built backend" verify

echo "$key" >"$STAMP"
echo "setup: native TensorFlow backend built ($NATIVE_DIR, TensorFlow $TF_WHEEL_VERSION); workers use it unless TFJS_BACKEND=wasm"
