#!/usr/bin/env bash
# Packs what scripts/gpu/check.sh needs on a GPU machine that has no Node, no npm and no internet into .gpu/
# (git-ignored; about 40 MB, under the 64 MiB a device run carries):
#   node.xz              this machine's Node binary, xz-compressed
#   onnxruntime.tar.xz   onnxruntime-node (JS + linux-x64 native library) and onnxruntime-common
#   bundle/              bench:train-step and the compute worker as plain ESM (scripts/gpu/bundle.mjs)
#   vk-adapters          lists the Vulkan adapters Dawn (ORT's WebGPU backend) can choose from
#   libvulkan1_*.deb     the Vulkan loader, for machines without one (check.sh unpacks it outside /)
# Usage, from the project root: scripts/gpu/prepare.sh   (then carry .gpu to the GPU machine)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=.gpu
if [ "$(uname -m)" != x86_64 ]; then
  echo "prepare.sh: this machine is $(uname -m); the GPU machine is x86_64, so pack on an x86_64 machine" >&2
  exit 2
fi
rm -rf "$out"
mkdir -p "$out/bundle"

echo "node $(node --version): compressing $(command -v node)"
xz -T0 -6 -c "$(command -v node)" >"$out/node.xz"

ort_dir=$(node -p "require('node:path').dirname(require.resolve('onnxruntime-node/package.json'))")
# onnxruntime-common exports no package.json: walk up from its entry file to the package root.
common_dir=$(node -e "
  const path = require('node:path'), fs = require('node:fs');
  let dir = path.dirname(require.resolve('onnxruntime-common', { paths: [process.argv[1]] }));
  const isRoot = (d) => fs.existsSync(path.join(d, 'package.json')) && JSON.parse(fs.readFileSync(path.join(d, 'package.json'), 'utf8')).name === 'onnxruntime-common';
  while (!isRoot(dir)) dir = path.dirname(dir);
  console.log(dir);" "$ort_dir")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/node_modules/onnxruntime-node/bin/napi-v6/linux" "$stage/node_modules/onnxruntime-common"
cp -r "$ort_dir/package.json" "$ort_dir/dist" "$stage/node_modules/onnxruntime-node/"
cp -r "$ort_dir/bin/napi-v6/linux/x64" "$stage/node_modules/onnxruntime-node/bin/napi-v6/linux/"
cp -r "$common_dir/package.json" "$common_dir/dist" "$stage/node_modules/onnxruntime-common/"
echo "onnxruntime-node $(node -p "require('$ort_dir/package.json').version"): packing the JS and linux-x64 native library"
tar -C "$stage" -cf - node_modules | xz -T0 -6 >"$out/onnxruntime.tar.xz"

node scripts/gpu/bundle.mjs "$out/bundle"
gcc -O2 -Wall -o "$out/vk-adapters" scripts/gpu/vk-adapters.c -ldl

(cd "$out" && apt-get download libvulkan1 >/dev/null 2>&1) || echo "prepare.sh: could not download libvulkan1 (check.sh then needs a Vulkan loader on the GPU machine)" >&2
du -sh "$out"/* | sed 's/^/  /'
echo "packed $(du -sh "$out" | cut -f1) into $out/"
