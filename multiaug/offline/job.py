"""The augment-folder job: scan INPUT, augment every file ``copies`` times, write OUTPUT and ``manifest.jsonl``.

Each output is a pure function of (seed, relative path, copy index, config): the same bytes for any number of
workers and any batch size. Writes are atomic, a killed run can be resumed, a bad file is reported and skipped.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import MultiaugError
from .atomic import atomic_write, remove_stale_temps
from .handlers import HANDLERS, Sample, SampleResult
from .keys import sample_key
from .manifest import MANIFEST_NAME, ManifestWriter, completed, make_record
from .pipelines import MODALITIES, router_config
from .scan import ScanResult, SourceFile, output_name, scan_inputs
from .workers import ForkPool, can_fork

__all__ = [
    "CONFIG_NAME",
    "RUN_NAME",
    "AugmentOptions",
    "Summary",
    "UsageError",
    "augment_folder",
    "check_paths",
]

CONFIG_NAME = "config.yaml"
RUN_NAME = "run.json"


class UsageError(MultiaugError, ValueError):
    """The job cannot start as asked (paths, flags, a previous run in OUTPUT): the CLI exits with code 2."""


@dataclass
class AugmentOptions:
    """Settings of :func:`augment_folder` (the CLI flags of ``multiaug augment``)."""

    copies: int = 1
    seed: int = 0
    modality: str = "auto"
    device: str = "cpu"
    batch_size: int = 32
    workers: int = 2
    include: Sequence[str] = ()
    exclude: Sequence[str] = ()
    resume: bool = False
    overwrite: bool = False
    dry_run: bool = False
    strict: bool = False
    text_field: str = "text"
    progress: bool | None = None  # None: a bar on stderr when it is a terminal
    origin: str = ""  # where the pipelines came from, recorded in run.json


@dataclass
class Summary:
    """What a job did. ``exit_code``: 0 all good, 1 some file failed."""

    planned: dict[str, tuple[int, int]] = field(default_factory=dict)  # modality -> (files, outputs)
    files: int = 0
    outputs: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, first error)
    already_done: int = 0
    ignored: int = 0
    skipped_links: int = 0
    no_pipeline: dict[str, int] = field(default_factory=dict)  # modality -> files without a pipeline
    seconds: float = 0.0
    output: str = ""  # the OUTPUT folder
    stopped: bool = False
    dry_run: bool = False

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def line(self) -> str:
        """The one-line summary printed at the end of a run.

        Example:
            >>> Summary(files=3, outputs=6, seconds=2.0).line()
            '3 files, 6 outputs, 0 failed in 2.0 s (1.5 files/s)'
        """
        rate = self.files / self.seconds if self.seconds > 0 else 0.0
        parts = [
            f"{self.files} files",
            f"{self.outputs} outputs",
            f"{len(self.failed)} failed",
        ]
        if self.already_done:
            parts.append(f"{self.already_done} already done")
        if self.ignored:
            parts.append(f"{self.ignored} ignored (other file types or filtered out)")
        if self.skipped_links:
            parts.append(f"{self.skipped_links} links outside INPUT skipped")
        for modality, n in self.no_pipeline.items():
            parts.append(f"{n} {modality} files without a pipeline")
        text = ", ".join(parts) + f" in {self.seconds:.1f} s"
        if self.files:
            text += f" ({rate:.1f} files/s)"
        if self.stopped:
            text += "; stopped at the first failure (--strict)"
        if self.output and (self.outputs or self.failed):
            text += f"; see {self.output}"
        return text


@dataclass
class _Task:
    src: SourceFile
    copies: list[int]


def check_paths(input_path: Path, output_path: Path) -> tuple[Path, Path]:
    """Resolve INPUT and OUTPUT, refusing overlapping or missing paths (:class:`UsageError`).

    Example:
        >>> check_paths(Path("data_samples"), Path("data_samples/out"))
        Traceback (most recent call last):
        ...
        multiaug.offline.job.UsageError: OUTPUT (data_samples/out) must not be INPUT or inside it: multiaug never writes into INPUT
    """
    if not input_path.exists():
        raise UsageError(f"INPUT does not exist: {input_path}")
    src, dst = input_path.resolve(), output_path.resolve()
    if dst == src or src in dst.parents:
        raise UsageError(
            f"OUTPUT ({output_path}) must not be INPUT or inside it: multiaug never writes into INPUT"
        )
    if dst in src.parents:
        raise UsageError(
            f"INPUT ({input_path}) lies inside OUTPUT ({output_path}); choose a separate OUTPUT folder"
        )
    if dst.exists() and not dst.is_dir():
        raise UsageError(f"OUTPUT exists and is not a folder: {output_path}")
    return src, dst


def _run_settings(options: AugmentOptions, pipelines: dict[str, Any]) -> dict[str, Any]:
    from .. import __version__ as version

    return {
        "multiaug_version": version,
        "seed": options.seed,
        "text_field": options.text_field,
        "pipelines": router_config(pipelines),
        "origin": options.origin,
    }


def _plan(
    scan: ScanResult, pipelines: dict[str, Any], options: AugmentOptions, out: Path, summary: Summary
) -> tuple[list[_Task], set[tuple[str, int]]]:
    done = completed(out / MANIFEST_NAME, out) if options.resume else set()
    tasks = []
    for src in scan.files:
        if src.modality not in pipelines:
            summary.no_pipeline[src.modality] = summary.no_pipeline.get(src.modality, 0) + 1
            continue
        copies = [k for k in range(options.copies) if (src.rel, k) not in done]
        summary.already_done += options.copies - len(copies)
        files, outs = summary.planned.get(src.modality, (0, 0))
        summary.planned[src.modality] = (files + (1 if copies else 0), outs + len(copies))
        if copies:
            tasks.append(_Task(src, copies))
    return tasks, done


def _prepare_output(out: Path, tasks: list[_Task], options: AugmentOptions, settings: dict[str, Any]) -> None:
    manifest = out / MANIFEST_NAME
    run_file = out / RUN_NAME
    if options.resume:
        if run_file.exists():
            try:
                before = json.loads(run_file.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                before = None
            if before is not None:
                for key in ("seed", "text_field", "pipelines"):
                    if before.get(key) != settings[key]:
                        raise UsageError(
                            f"--resume with a different {key} than the run in {out} "
                            f"({before.get(key)!r} before); use the same settings or --overwrite"
                        )
        remove_stale_temps(out)
        return
    if options.overwrite:
        return
    if manifest.exists():
        raise UsageError(
            f"{out} already holds a run ({MANIFEST_NAME}); pass --resume to continue it or --overwrite to redo it"
        )
    for task in tasks:
        for k in task.copies:
            target = out / output_name(task.src.rel, k)
            if target.exists():
                raise UsageError(f"output exists: {target}; pass --overwrite to replace existing outputs")


def case_insensitive(folder: Path) -> bool:
    """Whether the file system of ``folder`` (which exists) treats names that differ only in case as one."""
    probe = folder / ".multiaug-case-probe"
    try:
        probe.touch()
        return (folder / ".MULTIAUG-CASE-PROBE").exists()
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


def _check_case_collisions(out: Path, tasks: list[_Task]) -> None:
    """Refuse inputs whose outputs differ only in case (``a.png`` and ``a.PNG``) when ``out`` is on a
    case-insensitive file system, where the second would overwrite the first."""
    seen: dict[str, str] = {}
    clash = None
    for task in tasks:
        key = output_name(task.src.rel, 0).casefold()
        if key in seen and seen[key] != task.src.rel:
            clash = (seen[key], task.src.rel)
            break
        seen[key] = task.src.rel
    if clash is not None and case_insensitive(out):
        raise UsageError(
            f"{clash[0]} and {clash[1]} differ only in case, and {out} is on a case-insensitive file system, "
            "so their outputs would overwrite each other: rename one, or write to a case-sensitive folder"
        )


#: Compressed bytes of input per chunk (a chunk is decoded while the one before it is augmented).
CHUNK_BYTES = 32 * 2**20


def _chunks(
    tasks: list[_Task], samples_per_chunk: int, bytes_per_chunk: int = CHUNK_BYTES
) -> list[list[_Task]]:
    """Cut tasks into chunks of about ``samples_per_chunk`` samples and at most about ``bytes_per_chunk`` of
    input files, so that big photos or long recordings do not fill the memory. How the work is cut never
    changes an output."""
    chunks: list[list[_Task]] = []
    cur: list[_Task] = []
    n = size = 0
    for t in tasks:
        cur.append(t)
        n += len(t.copies)
        with contextlib.suppress(OSError):
            size += t.src.path.stat().st_size
        if n >= samples_per_chunk or size >= bytes_per_chunk:
            chunks.append(cur)
            cur, n, size = [], 0, 0
    if cur:
        chunks.append(cur)
    return chunks


def _decode(handler: Any, path: Path) -> tuple[Any, str | None]:
    try:
        return handler.decode(path), None
    except Exception as exc:  # a bad file is reported, never fatal
        from .handlers import _error_text

        return None, _error_text(exc)


def _write(handler: Any, result: SampleResult, path: Path, like: Any) -> str | None:
    try:
        handler.write(result.payload, path, like)
        return None
    except Exception as exc:
        from .handlers import _error_text

        return _error_text(exc)


class _Stop(Exception):
    pass


def _progress_bar(total: int, options: AugmentOptions) -> Any:
    enabled = options.progress if options.progress is not None else sys.stderr.isatty()
    if not enabled or total == 0:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="file", file=sys.stderr, dynamic_ncols=True, leave=False)


def augment_folder(
    input_path: str | Path,
    output_path: str | Path,
    pipelines: dict[str, Any],
    options: AugmentOptions | None = None,
) -> Summary:
    """Augment every supported file under ``input_path`` into ``output_path``.

    Args:
        input_path: INPUT folder (or a single file).
        output_path: OUTPUT folder, created if needed; must not overlap INPUT.
        pipelines: ``{modality: augmenter}``, e.g. from :func:`multiaug.offline.load_pipelines`; files of a
            modality without a pipeline are left out.
        options: see :class:`AugmentOptions`.

    Raises:
        UsageError: bad paths, an existing run without ``--resume``/``--overwrite``, a CUDA request without CUDA.

    Example:
        >>> import tempfile
        >>> from multiaug.offline import load_pipelines
        >>> pipes, _ = load_pipelines(recipe="light")
        >>> out = Path(tempfile.mkdtemp()) / "out"
        >>> s = augment_folder("data_samples/text", out, pipes, AugmentOptions(seed=1, progress=False))
        >>> s.exit_code, s.outputs, sorted(p.name for p in out.iterdir())[:2]
        (0, 3, ['config.yaml', 'manifest.jsonl'])
    """
    options = options or AugmentOptions()
    t0 = time.perf_counter()
    if options.resume and options.overwrite:
        raise UsageError("--resume and --overwrite exclude each other")
    if options.copies < 1 or options.batch_size < 1 or options.workers < 1:
        raise UsageError("copies, batch size and workers must be at least 1")
    if options.modality not in ("auto", *MODALITIES):
        raise UsageError(f"unknown modality {options.modality!r}; choose auto, image, audio or text")
    src, out = check_paths(Path(input_path), Path(output_path))
    device = _resolve_device(options.device, pipelines, options.modality)

    scan = scan_inputs(
        src, modality=options.modality, include=options.include, exclude=options.exclude, skip=[out]
    )
    summary = Summary(
        ignored=len(scan.ignored),
        skipped_links=len(scan.skipped_links),
        dry_run=options.dry_run,
        output=str(output_path),
    )
    settings = _run_settings(options, pipelines)
    tasks, _ = _plan(scan, pipelines, options, out, summary)
    if options.dry_run:
        summary.seconds = time.perf_counter() - t0
        return summary
    _prepare_output(out, tasks, options, settings)
    out.mkdir(parents=True, exist_ok=True)
    _check_case_collisions(out, tasks)
    _write_settings(out, settings, pipelines)

    manifest = ManifestWriter(out / MANIFEST_NAME, append=options.resume)
    tensor_work = any(t.src.modality in ("image", "audio") for t in tasks)
    handlers = {m: _handler(m, pipelines, options, device) for m in MODALITIES if m in pipelines}
    plan = [
        (handlers[modality], chunk)
        for modality in MODALITIES
        for chunk in _chunks([t for t in tasks if t.src.modality == modality], options.batch_size)
    ]
    bar = None
    try:
        with _single_threaded_torch(device == "cpu" and tensor_work):
            if device == "cpu" and options.workers > 1 and len(plan) > 1 and can_fork():
                _run_processes(
                    plan, out, options, manifest, summary, lambda: _progress_bar(len(tasks), options)
                )
            else:
                bar = _progress_bar(len(tasks), options)
                _run_threads(plan, out, options, manifest, summary, bar, parallel=device == "cpu")
    except _Stop:
        summary.stopped = True
    finally:
        manifest.close()
        if bar is not None:
            bar.close()
    summary.seconds = time.perf_counter() - t0
    return summary


@contextlib.contextmanager
def _single_threaded_torch(enabled: bool) -> Iterator[None]:
    """On CPU, run each torch kernel on one thread and parallelise over batches instead: on a busy machine
    intra-op threads fight the decoding/encoding threads (measured 5x slower with 2 threads on 2 cores)."""
    if not enabled:
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _resolve_device(device: str, pipelines: dict[str, Any], modality: str) -> str:
    if device not in ("cpu", "cuda", "auto") and not device.startswith("cuda:"):
        raise UsageError(f"unknown device {device!r}; choose cpu, cuda or auto")
    if device == "cpu":
        return "cpu"
    needs_torch = any(m in pipelines for m in ("image", "audio")) and modality in ("auto", "image", "audio")
    if not needs_torch:
        return "cpu"
    import torch

    if torch.cuda.is_available():
        return "cuda" if device == "auto" else device
    if device == "auto":
        return "cpu"
    raise UsageError(
        "--device cuda was asked for but CUDA is not available (torch.cuda.is_available() is False)"
    )


def _write_settings(out: Path, settings: dict[str, Any], pipelines: dict[str, Any]) -> None:
    import yaml

    config_text = yaml.safe_dump(settings["pipelines"], sort_keys=False)
    atomic_write(out / CONFIG_NAME, lambda tmp: tmp.write_text(config_text, encoding="utf-8"))
    run_text = json.dumps(settings, indent=2) + "\n"
    atomic_write(out / RUN_NAME, lambda tmp: tmp.write_text(run_text, encoding="utf-8"))


def _handler(modality: str, pipelines: dict[str, Any], options: AugmentOptions, device: str) -> Any:
    args = (pipelines[modality], options.seed, device, options.batch_size)
    if modality == "text":
        return HANDLERS[modality](*args, text_field=options.text_field)
    return HANDLERS[modality](*args)


#: What became of one file of a chunk: ``(copy, params, error)`` per copy, in copy order.
_FileDone = list[tuple[int, Any, "str | None"]]


def _samples(chunk: list[_Task], decoded: list[tuple[Any, str | None]]) -> list[Sample]:
    return [
        Sample((ti, k), t.src.rel, k, data)
        for ti, (t, (data, err)) in enumerate(zip(chunk, decoded))
        if err is None
        for k in t.copies
    ]


def _strict_cut(
    chunk: list[_Task], decoded: list[tuple[Any, str | None]]
) -> tuple[list[_Task], list[tuple[Any, str | None]]]:
    """Under ``--strict``, drop the files after the first one that cannot be read."""
    bad = next((i for i, (_, err) in enumerate(decoded) if err is not None), None)
    return (chunk, decoded) if bad is None else (chunk[: bad + 1], decoded[: bad + 1])


def _outcome(
    chunk: list[_Task],
    decoded: list[tuple[Any, str | None]],
    results: dict[tuple[int, int], SampleResult],
    write_errors: dict[tuple[int, int], str | None],
) -> list[_FileDone]:
    done: list[_FileDone] = []
    for ti, (task, (_, decode_error)) in enumerate(zip(chunk, decoded)):
        copies: _FileDone = []
        for k in task.copies:
            if decode_error is not None:
                copies.append((k, None, decode_error))
                continue
            res = results.get((ti, k))
            if res is None:  # every copy of a decoded file was augmented: the result is there
                raise RuntimeError(f"no augmentation result for {task.src.rel} copy {k}")
            error = res.error if res.error is not None else write_errors[(ti, k)]
            copies.append((k, res.params if error is None else None, error))
        done.append(copies)
    return done


def _process_chunk(item: tuple[Any, list[_Task], Path, bool]) -> list[_FileDone]:
    """Decode, augment and write one chunk in this process (a forked worker's whole job)."""
    handler, chunk, out, strict = item
    decoded = [_decode(handler, t.src.path) for t in chunk]
    if strict:
        chunk, decoded = _strict_cut(chunk, decoded)
    samples = _samples(chunk, decoded)
    results = handler.augment(samples) if samples else {}
    write_errors = {
        s.slot: _write(handler, results[s.slot], out / output_name(s.rel, s.copy), s.data)
        for s in samples
        if results[s.slot].error is None
    }
    return _outcome(chunk, decoded, results, write_errors)


def _run_processes(
    plan: list[tuple[Any, list[_Task]]],
    out: Path,
    options: AugmentOptions,
    manifest: ManifestWriter,
    summary: Summary,
    make_bar: Any,
) -> None:
    """CPU with ``--workers`` > 1: forked processes take whole chunks, this one writes the manifest in plan
    order. A chunk's content (hence its batches) does not depend on ``workers``."""
    items = [(handler, chunk, out, options.strict) for handler, chunk in plan]
    with ForkPool(_process_chunk, items, options.workers) as pool:
        bar = make_bar()  # after the fork: no progress-bar thread is copied into the children
        try:
            for (_, chunk), done in zip(plan, pool.results()):
                _finish(chunk, done, manifest=manifest, summary=summary, bar=bar, strict=options.strict)
        finally:
            if bar is not None:
                bar.close()


def _run_threads(
    plan: list[tuple[Any, list[_Task]]],
    out: Path,
    options: AugmentOptions,
    manifest: ManifestWriter,
    summary: Summary,
    bar: Any,
    *,
    parallel: bool,
) -> None:
    """One process: ``--workers`` threads decode the next chunk and write the last one while this thread
    augments (on a GPU, or on CPU where forking is not available: then batches also run side by side)."""
    if not plan:
        return
    with (
        ThreadPoolExecutor(max_workers=options.workers, thread_name_prefix="multiaug-io") as pool,
        ThreadPoolExecutor(max_workers=options.workers, thread_name_prefix="multiaug-aug") as compute,
    ):
        for handler in {id(h): h for h, _ in plan}.values():
            if hasattr(handler, "pool"):
                handler.pool = compute if parallel and options.workers > 1 else None

        def submit_decodes(i: int) -> list[Future]:
            handler, chunk = plan[i]
            return [pool.submit(_decode, handler, t.src.path) for t in chunk]

        pending: tuple[list[_Task], list[Any], dict, dict] | None = None
        decodes = submit_decodes(0)
        ci = -1
        while ci + 1 < len(plan):  # (--strict may cut the plan short)
            ci += 1
            handler, chunk = plan[ci]
            decoded = [f.result() for f in decodes]
            if options.strict:  # stop at the first file that cannot be read: drop what follows it
                chunk, decoded = _strict_cut(chunk, decoded)
                if len(chunk) < len(plan[ci][1]):
                    plan = plan[: ci + 1]
            if ci + 1 < len(plan):
                decodes = submit_decodes(ci + 1)
            samples = _samples(chunk, decoded)
            results = handler.augment(samples) if samples else {}
            writes = {
                s.slot: pool.submit(
                    _write, handler, results[s.slot], out / output_name(s.rel, s.copy), s.data
                )
                for s in samples
                if results[s.slot].error is None
            }
            if pending is not None:
                _finish_threaded(*pending, manifest=manifest, summary=summary, bar=bar, strict=options.strict)
            pending = (chunk, decoded, results, writes)
            if options.strict:  # no overlap: stop right after the chunk that failed
                _finish_threaded(*pending, manifest=manifest, summary=summary, bar=bar, strict=True)
                pending = None
        if pending is not None:
            _finish_threaded(*pending, manifest=manifest, summary=summary, bar=bar, strict=options.strict)


def _finish_threaded(
    chunk: list[_Task],
    decoded: list[Any],
    results: dict[tuple[int, int], SampleResult],
    writes: dict[tuple[int, int], Future],
    **kw: Any,
) -> None:
    write_errors = {slot: f.result() for slot, f in writes.items()}
    _finish(chunk, _outcome(chunk, decoded, results, write_errors), **kw)


def _finish(
    chunk: list[_Task],
    done: list[_FileDone],
    *,
    manifest: ManifestWriter,
    summary: Summary,
    bar: Any,
    strict: bool,
) -> None:
    """Append a chunk's manifest records in plan order and count them."""
    records = []
    stop = False
    for task, copies in zip(chunk, done):
        rel, modality = task.src.rel, task.src.modality
        first_error = None
        for k, params, error in copies:
            key = sample_key(rel, k)
            if error is None:
                records.append(make_record(rel, output_name(rel, k), k, modality, key, params=params))
                summary.outputs += 1
            else:
                records.append(make_record(rel, None, k, modality, key, error=error))
                first_error = first_error or error
        summary.files += 1
        if bar is not None:
            bar.update(1)
        if first_error is not None:
            summary.failed.append((rel, first_error))
            if strict:
                stop = True
                break
    manifest.write(records)
    if stop:
        raise _Stop


def describe_plan(summary: Summary) -> str:
    """The plan of a dry run: one line per modality, then what is left out.

    Example:
        >>> print(describe_plan(Summary(planned={"image": (7, 14)}, ignored=1)))
        image: 7 files -> 14 outputs
        1 files ignored (other file types or filtered out)
    """
    lines = [f"{m}: {f} files -> {o} outputs" for m, (f, o) in summary.planned.items()]
    if summary.ignored:
        lines.append(f"{summary.ignored} files ignored (other file types or filtered out)")
    if summary.skipped_links:
        lines.append(f"{summary.skipped_links} links outside INPUT skipped")
    lines += [f"{n} {m} files without a pipeline in the config" for m, n in summary.no_pipeline.items()]
    return "\n".join(lines) if lines else "nothing to do"
