"""Gradients through the audio augmenters, beyond the contract test (tests/test_autograd.py).

Derivatives checked against hand-computed ones or central differences on cases the contract data does not reach
(several loudness blocks and gating, the Speed low-pass and mixed filters, silent clips, p < 1, float32 input);
values with grad equal values without; kernels' work buffers hold no graph after a call with grad; the ops
that say they are not differentiable return no gradient.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch

import multiaug.audio as ma
from multiaug import Pipeline
from multiaug.audio.functional.loudness import integrated_loudness, loudness_gradient
from multiaug.audio.functional.stft import workspace

SR = 16000


def _clips(
    b: int = 3, t: int = 2000, seed: int = 0, silent: int | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """float64 stereo clips (tone plus noise) of different lengths, zero-padded; clip ``silent`` all zeros."""
    gen = torch.Generator().manual_seed(seed)
    k = torch.arange(t, dtype=torch.float64)
    x = 0.3 * torch.sin(k * 0.07 * (1 + torch.arange(b, dtype=torch.float64))[:, None, None])
    x = x.expand(b, 2, t) + 0.05 * torch.randn(b, 2, t, generator=gen, dtype=torch.float64)
    lengths = torch.tensor([t - 300 * (i % 3) for i in range(b)])
    x = x * (torch.arange(t) < lengths[:, None, None])
    if silent is not None:
        x[silent] = 0.0
    return x, lengths


def _directional(
    f: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    seed: int = 1,
    eps: float = 1e-6,
    keep: int | None = None,
):
    """(autograd, central difference) derivative of ``sum(w * f(x))`` along a random direction (none for clip
    ``keep``: a silent clip, where scaling to a level is discontinuous)."""
    gen = torch.Generator().manual_seed(seed)
    leaf = x.clone().requires_grad_(True)
    out = f(leaf)
    w = torch.randn(out.shape, generator=gen, dtype=out.dtype)
    d = torch.randn(x.shape, generator=gen, dtype=x.dtype)
    if keep is not None:
        d[keep] = 0.0
    (g,) = torch.autograd.grad((out * w).sum(), leaf)
    assert torch.isfinite(g).all()
    with torch.no_grad():
        numeric = float(((f(x + eps * d) - f(x - eps * d)) * w).sum()) / (2 * eps)
    return float((g * d).sum()), numeric


def _close(pair: tuple[float, float], rel: float = 1e-5) -> None:
    analytic, numeric = pair
    assert abs(analytic - numeric) <= rel * max(1.0, abs(numeric)), pair


# --- PeakNormalization ---------------------------------------------------------------------------------


def test_peak_normalization_gradient_is_the_hand_computed_one():
    # y = x * g / peak, peak = |x_m|: dy_j/dx_i = g / peak * [i == j] - g * x_j * sign(x_m) / peak**2 * [i == m]
    x = torch.tensor([[[0.1, -0.5, 0.2, 0.3]]], dtype=torch.float64)
    aug = ma.PeakNormalization(peak_db=(-6.0, -6.0), p=1.0)
    jac = torch.autograd.functional.jacobian(lambda t: aug(t, sample_rate=SR).reshape(-1), x).reshape(4, 4)
    g, p = 10.0 ** (-6.0 / 20.0), 0.5
    want = torch.eye(4, dtype=torch.float64) * g / p
    want[:, 1] -= g * x.reshape(-1) * -1.0 / p**2
    torch.testing.assert_close(jac, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("apply_to", ["all", "only_too_loud"])
def test_peak_normalization_gradient_on_padded_batches_silence_and_p_below_one(apply_to):
    x, lengths = _clips(4, silent=2)
    x[1] *= 4.0  # too loud for any target: scaled down either way
    aug = ma.PeakNormalization(peak_db=(-12.0, 0.0), apply_to=apply_to, p=0.5)
    f = lambda t: aug(audio=t, sample_rate=SR, lengths=lengths, seed=3)["audio"]  # noqa: E731
    _close(_directional(f, x, keep=2))
    leaf = x.clone().requires_grad_(True)
    f(leaf).sum().backward()
    assert leaf.grad is not None and torch.isfinite(leaf.grad).all()
    assert torch.equal(leaf.grad[2], torch.ones_like(leaf.grad[2])) or aug.apply_to == "all"  # silent: y = x


def test_peak_normalization_float32_with_grad_gives_the_same_bits():
    x = _clips()[0].float()
    aug = ma.PeakNormalization(peak_db=(-12.0, 0.0), p=1.0)
    plain = aug(x, sample_rate=SR, seed=4)
    graded = aug(x.clone().requires_grad_(True), sample_rate=SR, seed=4)
    assert graded.requires_grad and graded.dtype == torch.float32
    assert torch.equal(graded.detach(), plain)


# --- LoudnessNormalization -----------------------------------------------------------------------------


def _gated_clips() -> tuple[np.ndarray, np.ndarray]:
    """Two stereo clips of 1.2 s and 0.9 s at 16 kHz (several 400 ms blocks), each with a quiet stretch
    that the relative gate drops, and a third with no loudness (silent)."""
    rng = np.random.default_rng(0)
    t = 19200
    x = 0.2 * np.sin(0.05 * np.arange(t))[None, None] * np.ones((3, 2, 1)) + 0.02 * rng.standard_normal(
        (3, 2, t)
    )
    x[:, :, 6000:12000] *= 0.01
    x[2] = 0.0
    lengths = np.array([t, 14400, t])
    x[1, :, 14400:] = 0.0
    return x, lengths


def test_loudness_gradient_through_blocks_and_gates_matches_central_differences():
    x, lengths = _gated_clips()
    value, grad = loudness_gradient(x, SR, lengths)
    np.testing.assert_array_equal(value, integrated_loudness(x, SR, lengths))
    assert np.isneginf(value[2]) and not grad[2].any() and not grad[1, :, 14400:].any()
    d = np.random.default_rng(1).standard_normal(x.shape)
    for eps in (1e-5, 1e-6):
        up, down = (integrated_loudness(x + s * eps * d, SR, lengths)[:2] for s in (1, -1))
        numeric = (up - down) / (2 * eps)
        np.testing.assert_allclose((grad * d).sum(axis=(1, 2))[:2], numeric, rtol=1e-6)


def test_loudness_normalization_gradient_with_gating_silence_and_float32():
    x, lengths = _gated_clips()
    xt, lt = torch.from_numpy(x), torch.from_numpy(lengths)
    aug = ma.LoudnessNormalization(p=1.0)
    f = lambda t: aug(audio=t, sample_rate=SR, lengths=lt, seed=2)["audio"]  # noqa: E731
    _close(_directional(f, xt))
    leaf = xt.clone().requires_grad_(True)
    out = f(leaf)
    torch.testing.assert_close(out.detach(), f(xt), rtol=1e-12, atol=1e-12)
    out.sum().backward()
    assert leaf.grad is not None and torch.isfinite(leaf.grad).all()
    assert torch.equal(leaf.grad[2], torch.ones_like(leaf.grad[2]))  # no loudness: left as it is, y = x
    # float32: a float32 gradient, values as without grad
    x32 = xt.float().requires_grad_(True)
    out32 = aug(audio=x32, sample_rate=SR, lengths=lt, seed=2)["audio"]
    torch.testing.assert_close(
        out32.detach(), aug(audio=xt.float(), sample_rate=SR, lengths=lt, seed=2)["audio"]
    )
    out32.sum().backward()
    assert x32.grad is not None and x32.grad.dtype == torch.float32


# --- distortion, noise ---------------------------------------------------------------------------------


def test_clipping_distortion_gradient_is_the_hand_computed_one():
    # 11 distinct values, percentile 30: limits at the 15th and 85th percentiles, halfway between the 2nd and
    # 3rd (and 9th and 10th) smallest; the two samples below (above) each get the mean of those two
    v = torch.tensor([5.0, 1.0, 9.0, 3.0, 0.0, 7.0, 2.0, 10.0, 4.0, 8.0, 6.0], dtype=torch.float64) / 10
    x = v.reshape(1, 1, -1)
    aug = ma.ClippingDistortion(percentile=(30.0, 30.0), p=1.0)
    jac = torch.autograd.functional.jacobian(lambda t: aug(t, sample_rate=SR).reshape(-1), x).reshape(11, 11)
    order = v.argsort()
    want = torch.eye(11, dtype=torch.float64)
    for clipped, pair in ((order[:2], order[1:3]), (order[-2:], order[-3:-1])):
        for j in clipped.tolist():
            want[j] = 0.0
            want[j, pair] = 0.5
    torch.testing.assert_close(jac, want, rtol=0, atol=1e-15)


def test_tanh_distortion_float32_with_grad_leaves_the_input_and_matches_no_grad():
    x = _clips()[0].float()
    leaf = x.clone().requires_grad_(True)
    aug = ma.TanhDistortion(distortion=(0.2, 0.6), p=1.0)
    out = aug(leaf, sample_rate=SR, seed=6)
    torch.testing.assert_close(out.detach(), aug(x, sample_rate=SR, seed=6), rtol=1e-6, atol=1e-7)
    out.square().sum().backward()
    assert torch.equal(leaf.detach(), x) and leaf.grad is not None and torch.isfinite(leaf.grad).all()


def test_add_short_noises_follow_the_clip_level_and_silence_stays_finite():
    sound = torch.sin(torch.arange(300, dtype=torch.float64) * 0.9)[None]
    x, lengths = _clips(3, silent=1)
    aug = ma.AddShortNoises(sound, snr_db=(0.0, 10.0), gap=(0.01, 0.03), p=1.0)
    f = lambda t: aug(audio=t, sample_rate=SR, lengths=lengths, seed=8)["audio"]  # noqa: E731
    _close(_directional(f, x, keep=1))
    # y = x + n * rms(x), with n the noise for a unit RMS: the gradient of sum(y) is 1 + sum(n) * d rms / dx
    leaf = x.clone().requires_grad_(True)
    y = f(leaf)
    y.sum().backward()
    assert leaf.grad is not None
    n0 = int(lengths[0])
    rms = x[0, :, :n0].square().mean().sqrt()
    unit = (y.detach()[0] - x[0]).sum() / rms
    want = 1.0 + unit * x[0, :, :n0] / (rms * x[0, :, :n0].numel())
    torch.testing.assert_close(leaf.grad[0, :, :n0], want, rtol=1e-10, atol=1e-12)
    assert torch.equal(leaf.grad[1], torch.ones_like(leaf.grad[1]))  # silent: nothing added, identity


# --- time and pitch ------------------------------------------------------------------------------------


@pytest.mark.parametrize("factor", [(0.6, 1.4), (1.6, 3.0)])
def test_speed_gradient_with_mixed_filters_the_fft_low_pass_and_p_below_one(factor):
    x, lengths = _clips(5, t=1500, seed=2)
    aug = ma.Speed(factor=factor, p=0.7)
    f = lambda t: aug(audio=t, sample_rate=SR, lengths=lengths, seed=9)["audio"]  # noqa: E731
    _close(_directional(f, x), rel=1e-7)
    leaf = x.clone().requires_grad_(True)
    out = aug(audio=leaf, sample_rate=SR, lengths=lengths, seed=9)
    reference = aug(audio=x, sample_rate=SR, lengths=lengths, seed=9)
    assert torch.equal(out["lengths"], reference["lengths"])
    torch.testing.assert_close(out["audio"].detach(), reference["audio"], rtol=0, atol=1e-13)


def test_speed_gradient_is_the_transpose_of_the_linear_map():
    # Speed is linear in the audio: <A x, w> = <x, A^T w>, with A^T w the gradient
    x, lengths = _clips(2, t=800, seed=3)
    aug = ma.Speed(factor=(0.8, 1.3), p=1.0)
    leaf = x.clone().requires_grad_(True)
    out = aug(audio=leaf, sample_rate=SR, lengths=lengths, seed=1)["audio"]
    w = torch.randn(out.shape, generator=torch.Generator().manual_seed(0), dtype=out.dtype)
    (g,) = torch.autograd.grad((out * w).sum(), leaf)
    torch.testing.assert_close(float((out.detach() * w).sum()), float((g * x).sum()), rtol=1e-12, atol=0)


def test_work_buffers_hold_no_graph_after_a_call_with_grad():
    x, lengths = _clips(3, t=1200)
    ma.Speed(factor=(0.9, 1.1), p=1.0)(audio=x, sample_rate=SR, lengths=lengths, seed=0)  # fills the buffers
    leaf = x.float().requires_grad_(True)
    ma.Speed(factor=(0.9, 1.1), p=1.0)(audio=leaf, sample_rate=SR, lengths=lengths, seed=0)[
        "audio"
    ].sum().backward()
    buffers = list(vars(workspace()).values())
    tensors = [t for b in buffers if isinstance(b, dict) for t in b.values() if isinstance(t, torch.Tensor)]
    assert tensors and not any(t.requires_grad or t.grad_fn is not None for t in tensors)
    # and a second call with grad after one without still works (no stale graph, no "backward twice")
    again = ma.Speed(factor=(0.9, 1.1), p=1.0)(audio=leaf, sample_rate=SR, lengths=lengths, seed=1)["audio"]
    again.sum().backward()


@pytest.mark.parametrize(
    "aug",
    [
        ma.TimeStretch(rate=(0.8, 1.25), n_fft=256, p=1.0),
        ma.PitchShift(semitones=(-3.0, 3.0), n_fft=256, p=1.0),
        ma.BitCrush(p=1.0),
        ma.Mp3Compression(p=1.0),
    ],
    ids=lambda a: type(a).__name__,
)
def test_ops_that_are_not_differentiable_say_so_and_return_no_gradient(aug):
    assert not aug.differentiable
    assert not Pipeline([ma.Gain(p=1.0), aug]).differentiable
    x, lengths = _clips(2, t=4000)
    leaf = x.float().requires_grad_(True)
    out = aug(audio=leaf, sample_rate=SR, lengths=lengths, seed=0)
    assert not out["audio"].requires_grad
    assert torch.equal(out["audio"], aug(audio=x.float(), sample_rate=SR, lengths=lengths, seed=0)["audio"])


def test_a_pipeline_of_differentiable_audio_ops_passes_gradients_to_the_input():
    aug = Pipeline([
        ma.Speed(factor=(0.9, 1.1), p=1.0), ma.TanhDistortion(p=1.0), ma.LoudnessNormalization(p=1.0),
        ma.PeakNormalization(apply_to="only_too_loud", p=1.0),
    ])  # fmt: skip
    assert aug.differentiable
    x, lengths = _clips(2, t=4000)
    f = lambda t: aug(audio=t, sample_rate=SR, lengths=lengths, seed=4)["audio"]  # noqa: E731
    _close(_directional(f, x))
