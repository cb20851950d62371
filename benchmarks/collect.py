"""Collect every ``benchmarks/results/*.md`` table into ``docs/benchmarks.md`` with the machine and versions.

Run the individual benchmarks first (each writes its own results file), then::

    python benchmarks/collect.py
"""

from __future__ import annotations

import importlib.metadata as md
import os
import platform
from pathlib import Path

ROOT = Path(__file__).resolve().parent
ORDER = [
    "image_ops",
    "image_color_filters",
    "mixing",
    "audio_ops",
    "audio_time_pitch",
    "text_ops",
    "cli_augment",
    "single_sample",
    "gradients",
]
PACKAGES = [
    "multiaug",
    "torch",
    "torchaudio",
    "numpy",
    "albumentations",
    "opencv-python-headless",
    "torchvision",
    "kornia",
    "audiomentations",
    "torch-audiomentations",
    "librosa",
    "nlpaug",
]


def _versions() -> str:
    rows = []
    for name in PACKAGES:
        try:
            rows.append(f"{name} {md.version(name)}")
        except md.PackageNotFoundError:
            continue
    return ", ".join(rows)


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    results = sorted(
        ROOT.glob("results/*.md"), key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else 99, p.stem)
    )
    parts = [
        "# Benchmarks",
        "",
        "Throughput of multiaug against the libraries a user would pick instead, the same op on the same data in "
        "the same process, interleaved, several repeats, medians. Ratios above 1 mean multiaug is faster. "
        "Each section says how to reproduce it; `python benchmarks/collect.py` rebuilds this page.",
        "",
        f"Machine: {_cpu()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}.",
        "",
        f"Versions: {_versions()}.",
        "",
    ]
    summary = ROOT / "SUMMARY.md"
    if summary.is_file():
        parts += [summary.read_text().strip(), ""]
    for path in results:
        lines = path.read_text().strip().splitlines()
        # each results file is a page of its own: its top heading becomes a section (##) of this page
        top = min((len(x) - len(x.lstrip("#")) for x in lines if x.startswith("#")), default=2)
        shift = "#" * max(0, 2 - top)
        parts.append("\n".join(shift + x if x.startswith("#") else x for x in lines))
        parts.append("")
    out = ROOT.parent / "docs" / "benchmarks.md"
    out.write_text("\n".join(parts))
    print(f"wrote {out} from {len(results)} result files")


if __name__ == "__main__":
    main()
