"""TimeMask on waveforms and SpecAugment masks on spectrograms."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import stats

import multiaug.audio as ma
from multiaug.audio.functional.masking import band_mask, time_mask
from multiaug.core.errors import ConfigError, InputError, InputTypeError


def _runs(row: torch.Tensor) -> list[tuple[int, int]]:
    """(start, width) of each run of True in a 1-D bool tensor."""
    padded = torch.cat([torch.tensor([False]), row, torch.tensor([False])]).int()
    edges = torch.diff(padded)
    starts = torch.nonzero(edges == 1).flatten().tolist()
    ends = torch.nonzero(edges == -1).flatten().tolist()
    return [(s, e - s) for s, e in zip(starts, ends)]


def test_time_mask_silences_one_span_of_the_drawn_length_inside_the_valid_part():
    x = torch.ones(5, 2, 1000)
    lengths = torch.tensor([1000, 800, 500, 100, 10])
    x = x * (torch.arange(1000) < lengths[:, None, None])
    out = ma.TimeMask(duration=(0.3, 0.3), p=1.0)(audio=x, lengths=lengths, seed=0)
    for i, n in enumerate(lengths.tolist()):
        zero = out["audio"][i, 0, :n] == 0
        runs = _runs(zero)
        assert len(runs) == 1 and runs[0][1] == round(0.3 * n)
        assert torch.equal(out["audio"][i, 0], out["audio"][i, 1])
        assert not out["audio"][i, :, n:].any()


def test_time_mask_units_fill_and_fade():
    x = torch.ones(1, 1, 16000)
    y = ma.TimeMask(duration=(0.1, 0.1), unit="seconds", fill=0.5, p=1.0)(x, sample_rate=16000, seed=0)
    assert int((y == 0.5).sum()) == 1600
    y = ma.TimeMask(duration=(400, 400), unit="samples", fade=0.005, p=1.0)(x, sample_rate=16000, seed=0)
    ramp = y[0, 0]
    assert int((ramp < 1).sum()) == 400 and int((ramp == 0).sum()) == 400 - 2 * 79
    assert torch.all(ramp >= 0) and torch.all(ramp <= 1)
    with pytest.raises(InputError, match="sample rate"):
        ma.TimeMask(fade=0.01, p=1.0)(x)


def test_time_mask_kernel_edges():
    x = torch.ones(2, 1, 6)
    out = time_mask(x, torch.tensor([0, 4]), torch.tensor([2, 5]))
    assert out[:, 0].tolist() == [[0, 0, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]]
    # starts and widths as NumPy arrays or lists: the same spans
    assert torch.equal(time_mask(x, np.array([0, 4]), np.array([2, 5])), out)
    assert torch.equal(time_mask(x, [0, 4], [2, 5]), out)


@pytest.mark.parametrize("cls,dim", [(ma.FrequencyMasking, -2), (ma.TimeMasking, -1)])
def test_spec_masks_are_contiguous_bands_shared_by_channels(cls, dim):
    spec = torch.rand(16, 2, 40, 60) + 1.0
    out, record = cls(max_width=9, num_masks=2, p=1.0)(spec, seed=0, return_params=True)
    widths = np.asarray(record.params["width"])
    assert widths.shape == (16, 2) and widths.max() <= 9 and len(np.unique(widths)) > 3
    masked = (out == 0).all(dim=-1 if dim == -2 else -2)  # (B, C, size)
    for i in range(16):
        assert torch.equal(masked[i, 0], masked[i, 1])
        assert 0 < int(masked[i, 0].sum()) <= 18 or widths[i].sum() == 0
        kept = ~masked[i, 0]
        assert torch.equal(out[i].movedim(dim, -1)[..., kept], spec[i].movedim(dim, -1)[..., kept])


def test_spec_mask_limits_and_mean_fill():
    spec = torch.rand(8, 1, 20, 50)
    out = ma.TimeMasking(max_width=100, max_fraction=0.1, fill="mean", p=1.0)(spec, seed=3)
    means = spec.mean(dim=(1, 2, 3))
    for i in range(8):
        changed = (out[i] != spec[i]).any(dim=-2)[0]
        assert int(changed.sum()) <= 5
        assert torch.allclose(out[i, 0, :, changed], means[i].expand(20, int(changed.sum())))


def test_spec_ranks():
    for shape in [(40, 30), (2, 40, 30), (3, 2, 40, 30)]:
        out = ma.FrequencyMasking(p=1.0)(torch.rand(shape), seed=0)
        assert out.shape == shape
    out = ma.TimeMasking(p=1.0)(spec=torch.rand(40, 30), seed=0)
    assert set(out) == {"spec"}


def test_band_mask():
    assert band_mask(5, torch.tensor([1]), torch.tensor([0])).int().tolist() == [[0, 0, 0, 0, 0]]


def test_bad_arguments():
    with pytest.raises(ConfigError, match="max_width"):
        ma.FrequencyMasking(max_width=-1)
    with pytest.raises(ConfigError, match="num_masks"):
        ma.TimeMasking(num_masks=0)
    with pytest.raises(ConfigError, match="fill"):
        ma.TimeMasking(fill="median")
    with pytest.raises(ConfigError, match="duration"):
        ma.TimeMask(duration=(0.5, 1.5))
    with pytest.raises(InputTypeError):
        ma.FrequencyMasking()(torch.zeros(4, 4, dtype=torch.int64))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu():
    spec = torch.rand(4, 2, 40, 60)
    aug = ma.TimeMasking(p=1.0, num_masks=3)
    assert torch.equal(aug(spec.cuda(), seed=2).cpu(), aug(spec, seed=2))
    x = torch.randn(4, 2, 3000)
    tm = ma.TimeMask(fade=0.001, p=1.0)
    torch.testing.assert_close(
        tm(x.cuda(), sample_rate=16000, seed=2).cpu(), tm(x, sample_rate=16000, seed=2)
    )


@pytest.mark.parametrize("fade", [0, 3])
def test_time_mask_loop_and_vectorised_paths_agree(fade):
    from multiaug.audio.functional.masking import _fade_keep, _time_mask_loop

    x = torch.randn(6, 2, 40)
    start = torch.tensor([0, 5, 30, 39, 10, 0])
    width = torch.tensor([0, 10, 10, 1, 30, 40])
    loop = _time_mask_loop(x, start, width, 0.25, fade)
    pos = torch.arange(40, dtype=torch.float64)[None, :]
    lo, hi = start.double()[:, None], (start + width).double()[:, None]
    if fade:
        keep = _fade_keep(pos, lo, hi, fade).float()[:, None, :]
        want = x * keep + 0.25 * (1.0 - keep)
    else:
        want = torch.where(((pos >= lo) & (pos < hi))[:, None, :], torch.tensor(0.25), x)
    assert torch.equal(loop, want)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float64])
def test_time_mask_loop_works_on_every_float_dtype(dtype):
    from multiaug.audio.functional.masking import _time_mask_loop

    x = torch.randn(3, 1, 20).to(dtype)
    out = _time_mask_loop(x, torch.tensor([0, 5, 19]), torch.tensor([4, 0, 1]), -1.0, 0)
    want = x.clone()
    want[0, :, :4] = -1.0
    want[2, :, 19:] = -1.0
    assert out.dtype == dtype and torch.equal(out, want)


@pytest.mark.parametrize("cls", [ma.FrequencyMasking, ma.TimeMasking])
@pytest.mark.parametrize("fill", [0.0, "mean"])
def test_padded_spectrograms_are_masked_only_inside_their_valid_frames(cls, fill):
    lengths = torch.tensor([60, 25, 40, 7])
    frames = torch.arange(60)[None, None, None, :] < lengths[:, None, None, None]
    spec = torch.where(frames, torch.rand(4, 2, 30, 60) + 1.0, torch.tensor(100.0))  # padding: 100
    aug = cls(max_width=20, num_masks=2, max_fraction=0.5, fill=fill, p=1.0)
    out = aug(spec=spec, lengths=lengths, seed=5)
    assert set(out) == {"spec", "lengths"} and torch.equal(out["lengths"], lengths)
    y = out["spec"]
    assert torch.equal(y[~frames.expand_as(y)], spec[~frames.expand_as(spec)])  # padding untouched
    for i, n in enumerate(lengths.tolist()):
        # the same spectrogram alone, cut to its length, gets the same masks
        alone = aug(spec[i : i + 1, :, :, :n], seed=5, keys=[i])
        assert torch.equal(alone[0], y[i, :, :, :n])
        changed = (y[i, :, :, :n] != spec[i, :, :, :n]).any(dim=(0, 1))
        if cls is ma.TimeMasking:
            assert int(changed.sum()) <= 2 * (n // 2)  # each band at most max_fraction of its own length
        if fill == "mean" and bool(changed.any()):
            want = spec[i, :, :, :n].mean()
            torch.testing.assert_close(
                y[i, 0, :, :n][y[i, 0, :, :n] != spec[i, 0, :, :n]].unique(), want[None]
            )


def test_spectrogram_lengths_are_checked():
    with pytest.raises(InputError, match="one length per spectrogram"):
        ma.TimeMasking()(spec=torch.rand(2, 1, 4, 10), lengths=[3])
    with pytest.raises(InputError, match=r"\[1, 10\]"):
        ma.TimeMasking()(spec=torch.rand(2, 1, 4, 10), lengths=[3, 11])
    with pytest.raises(InputTypeError, match="integers"):
        ma.TimeMasking()(spec=torch.rand(1, 1, 4, 10), lengths=[3.5])


def test_max_fraction_narrows_the_width_draw_per_spectrogram() -> None:
    """Widths are uniform over 0..min(max_width, floor(max_fraction * frames)), each spectrogram with its own
    frames (SpecAugment's definition, as torchaudio draws it); the record holds the applied width."""
    spec = torch.ones(600, 1, 8, 500)
    lengths = torch.tensor([500, 200] * 300)
    aug = ma.TimeMasking(max_width=100, max_fraction=0.05, num_masks=2, p=1.0)
    out, rec = aug(spec, lengths=lengths, seed=0, return_params=True)
    width = np.asarray(rec.params["width"])
    for rows, cap in ((slice(0, None, 2), 25), (slice(1, None, 2), 10)):
        counts = np.bincount(width[rows].ravel(), minlength=cap + 1)
        assert len(counts) == cap + 1 and counts.min() > 0  # every width 0..cap occurs, none above
        assert stats.chisquare(counts).pvalue > 1e-3  # uniformly
    masked = (out["spec"][:, 0, 0] == 0).sum(-1)
    assert torch.equal(masked[1::2] <= 20, torch.ones(300, dtype=torch.bool))
