#!/usr/bin/env bash
# Run HERE (where pip reaches the package index) before a device run: downloads into .whl/ (git-ignored) the
# Python 3.12 wheels that the GPU machine's image lacks (it has torch, torchaudio, numpy, scipy, numba, Pillow,
# PyYAML, tqdm, matplotlib, pytest, pytest-xdist, hypothesis, torchvision). scripts/gpu_check.sh installs them
# there when the run carries .whl:  run(command="bash scripts/gpu_check.sh $OUT", carry=[".whl"]).
set -euo pipefail
cd "$(dirname "$0")/.."
grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >>.git/info/exclude
rm -rf .whl
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 --platform manylinux1_x86_64 -d .whl \
    "soundfile==0.14.0" "cffi==2.1.1" "pycparser==3.12" "librosa==0.11.0" "audioread==3.1.0" \
    "soxr==0.5.0.post1" "pooch==1.9.0" "decorator==5.3.1" "nltk==3.10.4" \
    "kornia==0.9.0" "kornia_rs==0.2.0" "torch-audiomentations==0.12.0" "julius==0.2.8" \
    "torch-pitch-shift==1.2.5" "primePy==1.3" "platformdirs==4.14.8"
du -sh .whl
