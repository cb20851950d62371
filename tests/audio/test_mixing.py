"""Audio Mixup: label weights, clip lengths, mixing by amplitude and by SNR."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import stats

import multiaug.audio as ma
from multiaug.core.errors import ConfigError

SR = 16000


def _clips(n: int = 6, frames: int = 8000) -> tuple[torch.Tensor, torch.Tensor]:
    """Sines of different pitch and loudness, zero-padded to ``frames`` past ragged lengths."""
    t = torch.arange(frames) / SR
    freqs = 200.0 + 150.0 * torch.arange(n)
    amps = torch.linspace(0.05, 0.8, n)
    x = amps[:, None, None] * torch.sin(2 * np.pi * freqs[:, None, None] * t)
    lengths = torch.tensor([frames - 1000 * (i % 4) for i in range(n)])
    x = x * (torch.arange(frames) < lengths[:, None, None])
    return x.float(), lengths


def test_amplitude_mix_is_the_formula_and_honours_lengths():
    x, lengths = _clips()
    out, t = ma.Mixup(alpha=1.0, mode="sample").mix(
        x, torch.arange(6), sample_rate=SR, lengths=lengths, seed=0
    )
    assert torch.equal(out["lengths"], lengths)
    audio = out["audio"]
    valid = torch.arange(x.shape[-1]) < lengths[:, None, None]
    partner = x[t.targets_b] * valid
    lam = t.lam.float().view(-1, 1, 1)
    torch.testing.assert_close(audio, lam * x + (1 - lam) * partner)
    assert (audio[~valid.expand_as(audio)] == 0).all()  # nothing of the partner past a clip's end


def test_snr_mix_gives_power_shares_lam_and_keeps_loudness():
    x, lengths = _clips()
    out, t = ma.Mixup(alpha=1.0, mode="sample", mix_by="snr").mix(
        x, torch.arange(6), sample_rate=SR, lengths=lengths, seed=1
    )
    audio = out["audio"].double()
    valid = (torch.arange(x.shape[-1]) < lengths[:, None, None]).double()
    a = x.double()
    b = x[t.targets_b].double() * valid
    for i in range(6):
        # out = w_a * a + w_b * b: recover the two weights by least squares
        basis = torch.stack([a[i].flatten(), b[i].flatten()], 1)
        w = torch.linalg.lstsq(basis, audio[i].flatten()[:, None]).solution.flatten()
        n = float(lengths[i])
        p_a = float((w[0] * a[i]).square().sum()) / n
        p_b = float((w[1] * b[i]).square().sum()) / n
        lam = float(t.lam[i])
        assert 10 * np.log10(p_a / p_b) == pytest.approx(10 * np.log10(lam / (1 - lam)), abs=1e-4)
        assert p_a + p_b == pytest.approx(float(a[i].square().sum()) / n, rel=1e-5)


def test_snr_range_sets_the_label_weight():
    x, lengths = _clips()
    aug = ma.Mixup(mix_by="snr", snr_db=(-5.0, 5.0), mode="sample")
    _, t = aug.mix(x, torch.arange(6), sample_rate=SR, lengths=lengths, seed=2)
    snr = 10 * np.log10(t.lam.numpy() / (1 - t.lam.numpy()))
    assert ((snr >= -5 - 1e-9) & (snr <= 5 + 1e-9)).all()
    with pytest.raises(ConfigError, match="mix_by='snr'"):
        ma.Mixup(snr_db=(0.0, 10.0))


def test_silent_clips_give_no_nan():
    x, lengths = _clips(4)
    x[1] = 0.0
    out = ma.Mixup(mix_by="snr", mode="sample")(x, sample_rate=SR, lengths=lengths, seed=0)
    assert torch.isfinite(out["audio"]).all()


def test_lam_follows_beta():
    x = torch.randn(32, 1, 16)
    lams = []
    for seed in range(60):
        _, t = ma.Mixup(alpha=0.3, mode="sample").mix(x, torch.arange(32), sample_rate=SR, seed=seed)
        lams.extend(t.lam.tolist())
    assert stats.kstest(lams, "beta", args=(0.3, 0.3)).pvalue > 1e-3


def test_batch_of_one_unchanged_and_input_not_mutated():
    x, _ = _clips(1)
    out, t = ma.Mixup().mix(x[0], torch.tensor([2]), sample_rate=SR, seed=0)
    assert torch.equal(out, x[0]) and t.lam == 1.0
    x, lengths = _clips()
    before = x.clone()
    for mix_by in ("amplitude", "snr"):
        ma.Mixup(mix_by=mix_by)(x, sample_rate=SR, lengths=lengths, seed=0)
    assert torch.equal(x, before)


def test_soft_targets_and_loss():
    x, _ = _clips()
    _, t = ma.Mixup(mode="pair").mix(x, torch.tensor([0, 1, 2, 0, 1, 2]), sample_rate=SR, seed=3)
    soft = t.soft(3, label_smoothing=0.1)
    torch.testing.assert_close(soft.sum(1), torch.ones(6))
    preds = torch.randn(6, 3)
    torch.testing.assert_close(t.loss(preds), torch.nn.functional.cross_entropy(preds, t.soft(3)))


@pytest.mark.parametrize("mix_by", ["amplitude", "snr"])
def test_a_shorter_partner_is_silent_past_its_own_end_whatever_its_padding_holds(mix_by):
    # docs: "the partner is cut to each clip's own valid length (and is silent past its own end)"; padding that
    # is not zero (a user's edge padding) must not leak into the longer clip
    x = torch.ones(2, 1, 10)
    x[1, :, 4:] = 5.0  # clip 1 is 4 samples long, its padding holds 5.0
    lengths = torch.tensor([10, 4])
    out, t = ma.Mixup(mix_by=mix_by).mix(x, torch.tensor([0, 1]), sample_rate=SR, lengths=lengths, seed=0)
    audio = out["audio"]
    assert 0.0 < t.lam < 1.0 and t.targets_b.tolist() == [1, 0]
    # past the partner's end only the clip itself is left: less than where both (positive) clips sound
    assert (audio[0, :, 4:] < audio[0, :, :4].min()).all()
    if mix_by == "amplitude":
        torch.testing.assert_close(audio[0, :, 4:], torch.full((1, 6), t.lam))
