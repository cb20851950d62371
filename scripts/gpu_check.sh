#!/usr/bin/env bash
# The one prepared run for a machine with a GPU: the whole test suite (its CUDA tests run there instead of
# skipping), then the GPU benchmark. Logs and results go to OUTDIR (default: the current folder).
#   bash scripts/gpu_check.sh "$OUT"
set -uo pipefail
out="${1:-.}"
cd "$(dirname "$0")/.."
python -c "import torch; assert torch.cuda.is_available(), 'no CUDA device'; print(torch.cuda.get_device_name(0))" || exit 1
python -m pytest -q -p no:cacheprovider -rs tests 2>&1 | tee "$out/gpu_tests.log"
tests=${PIPESTATUS[0]}
python benchmarks/gpu.py 2>&1 | tee "$out/gpu_bench.log"
cp benchmarks/results/gpu.md "$out/" 2>/dev/null
exit "$tests"
