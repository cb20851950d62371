"""``multiaug augment`` on a folder against a straightforward loop script with Albumentations and audiomentations.

The folder holds 1,000 JPEG images (256x256 RGB, cut from the project's sample pictures) and 200 WAV clips (3 s,
22,050 Hz mono, PCM_16, cut from the sample speech and music). Both sides apply the same ops with the same
probabilities and write every output in the input's format (JPEG quality 95, WAV PCM_16):

- images: HorizontalFlip(0.5), Affine(rotate +-15, translate +-6 %, scale 0.9-1.1, reflect border; 0.6),
  ColorJitter(0.2, 0.2, 0.2, hue 0.03; 0.7), GaussianBlur(5, sigma 0.3-1.2; 0.3), RandomErasing(2-8 %; 0.2);
- audio: Gain(-9..6 dB; 0.5), Shift(+-10 %, no rollover; 0.3), AddGaussianSNR(15-35 dB; 0.5),
  LowPassFilter(2-7 kHz; 0.3), TimeMask(1-8 %; 0.2).

The baseline is the script a user would write: walk the folder, ``cv2.imread`` -> Albumentations -> ``cv2.imwrite``
and ``soundfile.read`` -> audiomentations -> ``soundfile.write``, one file at a time. Each side runs as a fresh
process (start-up and imports included), interleaved, several repeats, medians. Two settings: the whole machine
(multiaug with its default ``--workers 2``; OpenCV with its default threads) and one core (``taskset -c 0``,
``OMP_NUM_THREADS=1``, ``--workers 1``, ``cv2.setNumThreads(1)``); and each modality alone on the whole machine.

    python benchmarks/cli_augment.py            # 1,000 images + 200 clips, 3 repeats
    python benchmarks/cli_augment.py --quick    # 200 images + 40 clips, 1 repeat
    python benchmarks/cli_augment.py --images 300 --clips 60 --repeats 2 --settings machine

Every run writes into a fresh folder and the outputs are deleted only at the end: on a file system that holds
back recently freed inodes (ext4 without a journal, as on the benchmark machine), creating a file costs up to
about 1 ms for minutes after thousands were deleted, whichever tool creates it.

The table is printed and written to ``benchmarks/results/cli_augment.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "data_samples"
RESULTS = Path(__file__).resolve().parent / "results" / "cli_augment.md"

CONFIG = """\
multiaug: 1
augmenter:
  name: Router
  fields:
    image:
      name: Pipeline
      augmenters:
        - {name: image.HorizontalFlip, p: 0.5}
        - {name: image.Affine, degrees: 15.0, translate: 0.06, scale: [0.9, 1.1], border: reflect, p: 0.6}
        - {name: image.ColorJitter, brightness: 0.2, contrast: 0.2, saturation: 0.2, hue: 0.03, p: 0.7}
        - {name: image.GaussianBlur, kernel_size: 5, sigma: [0.3, 1.2], p: 0.3}
        - {name: image.RandomErasing, scale: [0.02, 0.08], p: 0.2}
    audio:
      name: Pipeline
      augmenters:
        - {name: audio.Gain, gain_db: [-9.0, 6.0], p: 0.5}
        - {name: audio.Shift, shift: [-0.1, 0.1], rollover: false, p: 0.3}
        - {name: audio.AddGaussianSNR, snr_db: [15.0, 35.0], p: 0.5}
        - {name: audio.LowPassFilter, cutoff_hz: [2000.0, 7000.0], p: 0.3}
        - {name: audio.TimeMask, duration: [0.01, 0.08], p: 0.2}
"""

BASELINE = """\
import os, sys
os.environ["NO_ALBUMENTATIONS_UPDATE"] = "1"
import warnings; warnings.filterwarnings("ignore")
import cv2, soundfile as sf, albumentations as A, audiomentations as AM
if os.environ.get("ONE_CORE"):
    cv2.setNumThreads(1)
src, dst, only = sys.argv[1], sys.argv[2], sys.argv[3]
image_aug = A.Compose([
    A.HorizontalFlip(p=0.5),
    A.Affine(rotate=(-15, 15), translate_percent=(-0.06, 0.06), scale=(0.9, 1.1),
             border_mode=cv2.BORDER_REFLECT_101, p=0.6),
    A.ColorJitter(brightness=0.2, contrast=0.2, saturation=0.2, hue=0.03, p=0.7),
    A.GaussianBlur(blur_limit=(5, 5), sigma_limit=(0.3, 1.2), p=0.3),
    A.Erasing(scale=(0.02, 0.08), p=0.2),
])
audio_aug = AM.Compose([
    AM.Gain(min_gain_db=-9.0, max_gain_db=6.0, p=0.5),
    AM.Shift(min_shift=-0.1, max_shift=0.1, rollover=False, p=0.3),
    AM.AddGaussianSNR(min_snr_db=15.0, max_snr_db=35.0, p=0.5),
    AM.LowPassFilter(min_cutoff_freq=2000.0, max_cutoff_freq=7000.0, p=0.3),
    AM.TimeMask(min_band_part=0.01, max_band_part=0.08, p=0.2),
])
import time
t0 = time.perf_counter()
for root, dirs, files in os.walk(src):
    dirs.sort()
    for name in sorted(files):
        path = os.path.join(root, name)
        out_dir = os.path.join(dst, os.path.relpath(root, src))
        os.makedirs(out_dir, exist_ok=True)
        stem, ext = os.path.splitext(name)
        out = os.path.join(out_dir, f"{stem}_aug0{ext}")
        if ext == ".jpg" and only in ("all", "image"):
            img = cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB)
            img = image_aug(image=img)["image"]
            cv2.imwrite(out, cv2.cvtColor(img, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 95])
        elif ext == ".wav" and only in ("all", "audio"):
            x, sr = sf.read(path, dtype="float32")
            sf.write(out, audio_aug(samples=x, sample_rate=sr), sr, subtype="PCM_16")
print(f"in {time.perf_counter() - t0:.3f} s", file=sys.stderr)
"""


def make_dataset(root: Path, n_images: int, n_clips: int) -> None:
    """Write the benchmark folder: JPEG crops of the sample pictures and WAV cuts of the sample clips."""
    rng = np.random.default_rng(0)
    pictures = [
        np.asarray(Image.open(SAMPLES / "images" / n).convert("RGB"))
        for n in ("landscape.jpg", "street.jpg", "still_life.png")
    ]
    (root / "images").mkdir(parents=True)
    for i in range(n_images):
        pic = pictures[i % len(pictures)]
        h, w = pic.shape[:2]
        s = int(rng.integers(160, 240))
        y, x = int(rng.integers(0, h - s + 1)), int(rng.integers(0, w - s + 1))
        crop = Image.fromarray(pic[y : y + s, x : x + s]).resize((256, 256), Image.BILINEAR)
        crop.save(root / "images" / f"img{i:04d}.jpg", quality=90)
    sounds = []
    for n in ("speech_en_mono.wav", "music_stereo.wav", "speech_en_stereo.flac"):
        x, sr = sf.read(SAMPLES / "audio" / n, dtype="float32", always_2d=True)
        assert sr == 22050
        sounds.append(x.mean(1))
    long = np.concatenate(sounds)
    (root / "audio").mkdir()
    t = 3 * 22050
    for i in range(n_clips):
        start = int(rng.integers(0, len(long) - t))
        sf.write(root / "audio" / f"clip{i:03d}.wav", long[start : start + t], 22050, subtype="PCM_16")


def _run(cmd: list[str], one_core: bool) -> tuple[float, float]:
    """Run a command; return its wall time and the processing time it reports (``in X s`` on stderr)."""
    env = dict(os.environ, PYTHONPATH=str(REPO), NO_ALBUMENTATIONS_UPDATE="1")
    if one_core:
        env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", ONE_CORE="1")
        cmd = ["taskset", "-c", "0", *cmd]
    t0 = time.perf_counter()
    res = subprocess.run(
        cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    wall = time.perf_counter() - t0
    inner = re.findall(r"\bin ([0-9.]+) s\b", res.stderr)
    if not inner:
        raise RuntimeError(f"no processing time in the output of {cmd}: {res.stderr[-500:]}")
    return wall, float(inner[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="200 images + 40 clips, 1 repeat")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--images", type=int, default=None, help="number of images (1000; --quick: 200)")
    ap.add_argument("--clips", type=int, default=None, help="number of clips (200; --quick: 40)")
    ap.add_argument(
        "--settings",
        default="machine,core,image,audio",
        help="comma list of: machine, core (all files), image, audio (one modality, whole machine)",
    )
    args = ap.parse_args(argv)
    n_images, n_clips = (200, 40) if args.quick else (1000, 200)
    n_images = n_images if args.images is None else args.images
    n_clips = n_clips if args.clips is None else args.clips
    repeats = args.repeats or (1 if args.quick else 3)
    n_files = n_images + n_clips
    work = Path(tempfile.mkdtemp(prefix="multiaug-bench-"))
    try:
        data = work / "in"
        make_dataset(data, n_images, n_clips)
        (work / "config.yaml").write_text(CONFIG)
        (work / "baseline.py").write_text(BASELINE)

        def command(name: str, out: Path, only: str, workers: str, r: int) -> list[str]:
            if name == "baseline":
                return [sys.executable, str(work / "baseline.py"), str(data), str(out), only]
            return [
                sys.executable,
                "-m",
                "multiaug.cli",
                "augment",
                str(data),
                str(out),
                "--config",
                str(work / "config.yaml"),
                "--seed",
                str(r),
                "--workers",
                workers,
                "--modality",
                "auto" if only == "all" else only,
            ]

        rows = []
        for setting in args.settings.split(","):
            one_core = setting == "core"
            only = setting if setting in ("image", "audio") else "all"
            expected = {"all": n_files, "image": n_images, "audio": n_clips}[only]
            workers = "1" if one_core else "2"
            wall: dict[str, list[float]] = {"multiaug": [], "baseline": []}
            inner: dict[str, list[float]] = {"multiaug": [], "baseline": []}
            for r in range(repeats):
                for name in ("multiaug", "baseline"):
                    out = work / f"out-{setting}-{name}-{r}"  # fresh: see the module docstring
                    w, i = _run(command(name, out, only, workers, r), one_core)
                    wall[name].append(w)
                    inner[name].append(i)
                    made = sum(1 for p in out.rglob("*_aug0.*"))
                    assert made == expected, f"{name} wrote {made} outputs, expected {expected}"
                    print(
                        f"{setting} repeat {r} {name}: {w:.1f} s wall, {i:.1f} s processing", file=sys.stderr
                    )
            label = {
                "machine": "all files, whole machine (2 cores)",
                "core": "all files, one core (taskset -c 0)",
                "image": f"{n_images} images only, whole machine",
                "audio": f"{n_clips} clips only, whole machine",
            }[setting]
            rate = {
                k: {n: expected / statistics.median(v[n]) for n in v}
                for k, v in (("wall", wall), ("inner", inner))
            }
            rows.append(
                (
                    label,
                    rate["wall"]["multiaug"],
                    rate["wall"]["baseline"],
                    rate["inner"]["multiaug"],
                    rate["inner"]["baseline"],
                )
            )
        import albumentations
        import audiomentations
        import torch

        lines = [
            "# `multiaug augment` vs a loop script (Albumentations + audiomentations)",
            "",
            f"Folder: {n_images} JPEG images 256x256 + {n_clips} WAV clips 3 s 22.05 kHz mono; one output per file, "
            "same ops and probabilities on both sides (see `benchmarks/cli_augment.py`). Wall time of a fresh "
            "process (start-up included), and processing time as each tool reports it (multiaug's summary line; "
            f"the loop script times its loop); medians of {repeats} interleaved repeats.",
            "",
            "| setting | multiaug augment, wall (files/s) | loop script, wall (files/s) | ratio, wall "
            "| multiaug, processing (files/s) | loop, processing (files/s) | ratio, processing |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for label, mine, base, mine_in, base_in in rows:
            lines.append(
                f"| {label} | {mine:.1f} | {base:.1f} | {mine / base:.2f}x | {mine_in:.1f} | {base_in:.1f} "
                f"| {mine_in / base_in:.2f}x |"
            )
        lines += [
            "",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"torch {torch.__version__}, albumentations {albumentations.__version__}, "
            f"audiomentations {audiomentations.__version__}.",
            f"Command: `{' '.join(['python benchmarks/cli_augment.py', *(argv if argv is not None else sys.argv[1:])])}`.",
        ]
        table = "\n".join(lines) + "\n"
        print(table)
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(table)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
