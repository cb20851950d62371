"""``multiaug`` command line: argument parsing only; the work is done by :mod:`multiaug.offline`.

Exit codes: 0 success, 1 some files failed, 2 bad usage or config, 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Iterator, Sequence

__all__ = ["build_parser", "main"]

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

_EPILOG = """examples:
  multiaug augment data_samples out/                      # default recipe, 1 copy per file
  multiaug augment photos/ aug/ --recipe heavy --copies 5 --seed 7
  multiaug augment clips/ aug/ --config my.yaml --device cuda --batch-size 64
  multiaug list --modality audio
  multiaug show image.Rotate
  multiaug validate my.yaml
  multiaug preview data_samples/images/landscape.jpg --out preview.png

exit codes: 0 success, 1 some files failed, 2 bad usage or config, 130 interrupted
"""


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer seed, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative seed, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``multiaug`` command."""
    parser = argparse.ArgumentParser(
        prog="multiaug",
        description="Augment images, audio and text: folders offline, recipes, configs and previews.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"multiaug {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    aug = sub.add_parser(
        "augment",
        help="augment every image, audio and text file of a folder",
        description="Augment every supported file under INPUT into OUTPUT (mirrored tree, N copies per file, "
        "manifest.jsonl with the parameters of every output). Outputs depend only on (seed, relative path, "
        "copy index, config): the same bytes for any --workers and --batch-size.",
    )
    aug.add_argument("input", metavar="INPUT", help="folder (or single file) to augment; never written to")
    aug.add_argument("output", metavar="OUTPUT", help="folder for the outputs; must not be inside INPUT")
    src = aug.add_mutually_exclusive_group()
    src.add_argument(
        "--config",
        metavar="FILE",
        help="YAML/JSON config: a Router of per-modality pipelines, "
        "or one pipeline (files of other modalities are then left out)",
    )
    src.add_argument("--recipe", metavar="NAME", help="embedded recipe: light, medium (default) or heavy")
    aug.add_argument("--copies", type=_positive, default=1, metavar="N", help="augmented copies per file (1)")
    aug.add_argument("--seed", type=_seed, default=0, metavar="S", help="random seed (0)")
    aug.add_argument(
        "--modality",
        choices=["auto", "image", "audio", "text"],
        default="auto",
        help="only files of this kind (auto: all, by extension)",
    )
    aug.add_argument(
        "--device",
        default="cpu",
        metavar="cpu|cuda|auto",
        help="where images and audio are augmented (cpu); results are the same on any device "
        "up to floating-point rounding",
    )
    aug.add_argument("--batch-size", type=_positive, default=32, metavar="B", help="samples per batch (32)")
    aug.add_argument(
        "--workers", type=_positive, default=2, metavar="W", help="threads decoding and encoding files (2)"
    )
    aug.add_argument(
        "--include",
        action="append",
        default=[],
        metavar="GLOB",
        help="only files whose relative path or name matches (repeatable)",
    )
    aug.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="leave out files whose relative path or name matches (repeatable)",
    )
    mode = aug.add_mutually_exclusive_group()
    mode.add_argument("--resume", action="store_true", help="continue an interrupted run in OUTPUT")
    mode.add_argument("--overwrite", action="store_true", help="redo everything, replacing existing outputs")
    aug.add_argument("--dry-run", action="store_true", help="print what would be done; write nothing")
    aug.add_argument("--strict", action="store_true", help="stop at the first file that fails")
    aug.add_argument(
        "--text-field",
        default="text",
        metavar="NAME",
        help="column (csv/tsv) or field (jsonl) to augment; other columns are copied (text)",
    )
    aug.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary")

    lst = sub.add_parser("list", help="list the augmenters with a one-line description")
    lst.add_argument("--modality", choices=["image", "audio", "text"], help="only this modality")

    show = sub.add_parser("show", help="an augmenter's parameters, defaults and an example config")
    show.add_argument("name", metavar="NAME", help="registry name, e.g. image.Rotate (or a recipe name)")

    val = sub.add_parser("validate", help="check a config file and print its pipelines")
    val.add_argument("config", metavar="CONFIG", help="YAML or JSON config file")

    prev = sub.add_parser("preview", help="a picture (or text listing) of a file and N augmentations")
    prev.add_argument("input", metavar="INPUT", help="an image, audio or text file")
    psrc = prev.add_mutually_exclusive_group()
    psrc.add_argument("--config", metavar="FILE", help="config file (default: the default recipe)")
    psrc.add_argument("--recipe", metavar="NAME", help="embedded recipe name")
    prev.add_argument("--n", type=_positive, default=8, metavar="N", help="number of augmentations (8)")
    prev.add_argument("--seed", type=_seed, default=0, metavar="S", help="random seed (0)")
    prev.add_argument("--text-field", default="text", metavar="NAME", help="column/field of a csv/tsv/jsonl")
    prev.add_argument(
        "--out",
        metavar="FILE",
        help="PNG to write (default: preview.png; text is printed unless --out is given)",
    )
    return parser


def _version() -> str:
    from .. import __version__

    return __version__


def _err(message: str) -> None:
    print(f"multiaug: error: {message}", file=sys.stderr)


_froze = False  # whether this module froze the garbage collector's objects (see _frozen_imports)


@contextlib.contextmanager
def _frozen_imports() -> Iterator[None]:
    """Load the pipelines (torch and the modality packages: about a million long-lived objects) without the
    cyclic garbage collector, then freeze what was loaded: collections neither slow the start-up down (they took
    about 8 % of a folder job's CPU time) nor walk those objects again, nor touch their memory in forked workers
    (copy-on-write), and the interpreter exits about 0.4 s sooner. The collector runs as usual on everything
    made afterwards. :func:`main` unfreezes them at the end unless it runs as the program."""
    global _froze
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
        _froze = True
    finally:
        if was_enabled:
            gc.enable()


def _cmd_augment(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..offline import AugmentOptions, augment_folder, describe_plan, load_pipelines
    from ..offline.job import check_paths
    from ..offline.workers import keep_freed_memory

    check_paths(Path(args.input), Path(args.output))  # fail fast, before importing any modality package
    with _frozen_imports():
        pipelines, origin = load_pipelines(args.config, args.recipe)
    keep_freed_memory()  # this process (and its workers) reuse batch buffers instead of faulting in new ones
    options = AugmentOptions(
        copies=args.copies,
        seed=args.seed,
        modality=args.modality,
        device=args.device,
        batch_size=args.batch_size,
        workers=args.workers,
        include=args.include,
        exclude=args.exclude,
        resume=args.resume,
        overwrite=args.overwrite,
        dry_run=args.dry_run,
        strict=args.strict,
        text_field=args.text_field,
        progress=False if args.quiet else None,
        origin=origin,
    )
    if not args.quiet:
        from ..offline.pipelines import padding_warnings

        for warning in padding_warnings(pipelines):
            print(f"multiaug: warning: {warning}", file=sys.stderr)
    summary = augment_folder(args.input, args.output, pipelines, options)
    if args.dry_run:
        print(f"dry run ({origin}, seed {args.seed}, {args.copies} copies): nothing written")
        print(describe_plan(summary))
        if summary.already_done:
            print(f"{summary.already_done} outputs already done")
        return EXIT_OK
    if not args.quiet:
        for source, error in summary.failed[:10]:
            print(f"failed: {source}: {error}", file=sys.stderr)
        if len(summary.failed) > 10:
            print(f"... and {len(summary.failed) - 10} more (see manifest.jsonl)", file=sys.stderr)
        print(f"multiaug augment: {summary.line()}", file=sys.stderr)
    return summary.exit_code


def _cmd_list(args: argparse.Namespace) -> int:
    from ..offline.introspect import list_augmenters

    print(list_augmenters(args.modality))
    return EXIT_OK


def _cmd_show(args: argparse.Namespace) -> int:
    from ..offline.introspect import show_augmenter

    print(show_augmenter(args.name))
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from ..offline.introspect import validate_config

    ok, report = validate_config(args.config)
    print(report, file=sys.stdout if ok else sys.stderr)
    return EXIT_OK if ok else EXIT_USAGE


def _cmd_preview(args: argparse.Namespace) -> int:
    from ..core.errors import ConfigError
    from ..offline.handlers import _error_text
    from ..offline.job import UsageError
    from ..offline.pipelines import load_pipelines
    from ..offline.preview import preview

    pipelines, _ = load_pipelines(args.config, args.recipe)
    try:
        result = preview(
            args.input, pipelines, n=args.n, seed=args.seed, out=args.out, text_field=args.text_field
        )
    except (ConfigError, UsageError):
        raise
    except Exception as exc:  # the file cannot be read or augmented: it failed, as it would in augment
        _err(f"cannot preview {args.input}: {_error_text(exc)}")
        return EXIT_FAILURES
    print(result)
    return EXIT_OK


_COMMANDS = {
    "augment": _cmd_augment,
    "list": _cmd_list,
    "show": _cmd_show,
    "validate": _cmd_validate,
    "preview": _cmd_preview,
}


def _exit_now(code: int) -> None:
    """End the process without the interpreter's teardown of torch and the modality packages (0.2-0.5 s of
    freeing a million objects): after ``augment`` every file is written, renamed and closed and the workers
    have exited, so only stdout and stderr are left to flush."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: let the normal exit deal with it
        return
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``multiaug`` command; returns the exit code.

    Called without ``argv`` (the console script, ``python -m multiaug.cli``) it owns the process: ``augment``
    then ends it directly with the exit code once everything is written (see :func:`_exit_now`).

    Example:
        >>> main(["list", "--modality", "text"]) == 0  # doctest: +SKIP
        True
    """
    global _froze
    owns_process = argv is None  # the console script and ``python -m multiaug.cli``; tests pass a list
    args = build_parser().parse_args(argv)
    from ..core.errors import ConfigError
    from ..offline.job import UsageError

    try:
        code = _COMMANDS[args.command](args)
        if owns_process and args.command == "augment":
            _exit_now(code)
        return code
    except (ConfigError, UsageError) as exc:
        _err(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _err("interrupted; run again with --resume to continue")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    finally:
        if _froze and not owns_process:  # a caller's process: give the collector its objects back
            gc.unfreeze()
            _froze = False


if __name__ == "__main__":
    sys.exit(main())
