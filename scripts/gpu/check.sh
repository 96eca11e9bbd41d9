#!/usr/bin/env bash
# The GPU check, run on the GPU machine from the project root with .gpu/ (scripts/gpu/prepare.sh) carried:
# unpacks Node and onnxruntime-node, lists the GPUs and the Vulkan adapters that onnxruntime's WebGPU backend
# (Dawn) can use, then runs bench:train-step on the WebGPU EP and on the CPU EP and prints both. Needs no npm
# and no internet.
#   scripts/gpu/check.sh [--providers webgpu,cpu] [bench-train-step options...]   e.g. --iters 3 --presets tiny
# Each bench run is bounded by E2GAN_CHECK_TIMEOUT seconds (default 270, so both providers fit one 600 s device run). Results also go to $E2GAN_CHECK_OUT
# (default: .gpu/results) as bench-<provider>.log.
set -uo pipefail
pack=$(pwd)/.gpu
providers=webgpu,cpu
if [ "${1:-}" = --providers ]; then providers=$2; shift 2; fi
if [ ! -f "$pack/node.xz" ] || [ ! -f "$pack/onnxruntime.tar.xz" ] || [ ! -f "$pack/bundle/bench-train-step.mjs" ]; then
  echo "check.sh: $pack is incomplete: run scripts/gpu/prepare.sh on the build machine and carry .gpu" >&2
  exit 2
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/e2gan-gpu-check.XXXXXX")
results=${E2GAN_CHECK_OUT:-$pack/results}
mkdir -p "$work/bin" "$results"
xz -dc "$pack/node.xz" >"$work/bin/node" && chmod +x "$work/bin/node"
tar -C "$work" -xJf "$pack/onnxruntime.tar.xz"
cp -r "$pack/bundle" "$work/bundle"
node="$work/bin/node"
echo "== machine: $(uname -m), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')), node $("$node" --version), $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)"

# Vulkan: a loader, and the NVIDIA driver's manifest where the image keeps it outside the standard folders.
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
  deb=$(ls "$pack"/libvulkan1_*.deb 2>/dev/null | head -n1)
  if [ -n "$deb" ]; then
    dpkg -x "$deb" "$work/vulkan"
    export LD_LIBRARY_PATH="$work/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    echo "== Vulkan loader: none installed; using $(basename "$deb") unpacked in $work/vulkan"
  else
    echo "== Vulkan loader: none installed and none packed; the WebGPU EP will not start"
  fi
fi
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && ! ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json >/dev/null 2>&1; then
  for manifest in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/nvidia/nvidia_icd.json; do
    if [ -f "$manifest" ]; then export VK_DRIVER_FILES=$manifest; echo "== Vulkan driver manifest: $manifest"; break; fi
  done
fi

echo "== GPUs (nvidia-smi):"
nvidia-smi --query-gpu=index,name,driver_version,memory.total --format=csv,noheader 2>/dev/null | sed 's/^/  /' || echo "  nvidia-smi not available"
echo "== Vulkan adapters (the WebGPU EP's Dawn prefers a discrete GPU among these):"
"$pack/vk-adapters" | sed 's/^/  /'

status=0
IFS=',' read -ra list <<<"$providers"
for provider in "${list[@]}"; do
  echo "== bench:train-step on $provider"
  (cd "$work/bundle" && timeout "${E2GAN_CHECK_TIMEOUT:-270}" "$node" bench-train-step.mjs --provider "$provider" --reference off "$@") 2>&1 \
    | grep -v 'Serializing optimized model' | tee "$results/bench-$provider.log"
  rc=${PIPESTATUS[0]}
  if [ "$rc" -ne 0 ]; then echo "== bench on $provider failed (exit $rc)"; status=1; fi
done

echo "== summary"
for provider in "${list[@]}"; do
  figures=$(grep -E '^(tiny|small|base) ' "$results/bench-$provider.log" | awk '{print $1, $2, $3, $5}' | paste -sd ';' -)
  echo "  $provider: ${figures:-no figures} $(grep -E '^train_step_ratio=' "$results/bench-$provider.log" || echo '(failed: see the log above)')"
done
rm -rf "$work"
exit $status
