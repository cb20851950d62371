#!/usr/bin/env bash
# The one prepared run for a machine with a GPU: the whole test suite (its CUDA tests run there instead of
# skipping), then the GPU benchmark. Logs and results go to OUTDIR (default: the current folder).
# First, here: bash scripts/fetch_gpu_wheels.sh   (the packages the GPU machine's image lacks, into .whl/)
# Then, on the device: bash scripts/gpu_check.sh "$OUT"   (carrying .whl)
set -uo pipefail
out="${1:-.}"
cd "$(dirname "$0")/.."
if [ -d .whl ]; then  # the wheels scripts/fetch_gpu_wheels.sh downloaded (the machine's image lacks them)
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
    export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi
export PYTHONUNBUFFERED=1
python3 -c "import torch; assert torch.cuda.is_available(), 'no CUDA device'; print(torch.cuda.get_device_name(0))" || exit 1
python3 -m pytest -q -p no:cacheprovider -rs -n 8 tests 2>&1 | tee "$out/gpu_tests.log"
tests=${PIPESTATUS[0]}
python3 benchmarks/gpu.py 2>&1 | tee "$out/gpu_bench.log"
cp benchmarks/results/gpu.md "$out/" 2>/dev/null
exit "$tests"
