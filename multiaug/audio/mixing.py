"""Mixing audio augmenters: Mixup of waveforms with label weights, by amplitude or by signal-to-noise
ratio."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..core import Draws, register
from ..core.checks import check_choice, check_range
from ..core.errors import ConfigError
from ..core.mixing import MixesLabels, check_alpha, check_mode, pair_up
from .base import AudioAugmenter, AudioBatch
from .functional.lengths import length_mask, masked_rms

__all__ = ["Mixup"]


@register("audio.Mixup")
class Mixup(MixesLabels, AudioAugmenter):
    """Mixup of clips in a batch: each clip is mixed with a partner, label weight ``lam ~ Beta(alpha, alpha)``.

    Batch-level: ``p`` is the fraction of batches mixed; partners and ``mode`` (one ``lam`` per ``"batch"``,
    ``"pair"`` or ``"sample"``) as in :class:`multiaug.image.Mixup`. Clip lengths are honoured: the partner is
    cut to the clip's own valid length (a shorter partner is silent past its end), and every clip keeps its
    length. ``aug.mix(x, labels, sample_rate=sr)`` returns the mixed clips and their ``MixedTargets``.

    ``mix_by="amplitude"``: ``lam * a + (1 - lam) * b``. ``mix_by="snr"``: each clip is scaled so that the two
    carry ``lam`` and ``1 - lam`` of the clip's power (an SNR of ``10 log10(lam / (1 - lam))`` dB between
    them, measured over the valid part) and the mix is as loud as the original clip, so quiet and loud
    partners count as their label weights say. With ``snr_db=(low, high)`` (``mix_by="snr"`` only) the SNR
    is drawn uniformly in dB instead and ``lam = 1 / (1 + 10 ** (-snr / 10))``.

    Example:
        >>> import torch, multiaug.audio as ma
        >>> x, y = torch.randn(4, 1, 16000), torch.tensor([0, 1, 2, 3])
        >>> mixed, targets = ma.Mixup(alpha=0.4, mix_by="snr").mix(x, y, sample_rate=16000, seed=0)
        >>> mixed.shape, targets.soft(num_classes=4).shape
        (torch.Size([4, 1, 16000]), torch.Size([4, 4]))
    """

    batch_level = True

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        mode: str = "batch",
        mix_by: str = "amplitude",
        snr_db: tuple[float, float] | None = None,
        p: float = 1.0,
    ) -> None:
        super().__init__(p=p)
        self.alpha = check_alpha(alpha)
        self.mode = check_mode(mode)
        self.mix_by = check_choice(mix_by, "mix_by", ["amplitude", "snr"])
        if snr_db is not None and self.mix_by != "snr":
            raise ConfigError("snr_db sets the SNR of the mix, so it needs mix_by='snr'")
        self.snr_db = None if snr_db is None else check_range(snr_db, "snr_db")

    def sample(self, batch: AudioBatch, draws: Draws) -> dict[str, np.ndarray]:
        pairing = pair_up(draws, len(batch), self.mode)
        one, units = pairing.draws, pairing.units
        if self.snr_db is None:
            lam_units = one.beta(self.alpha, self.alpha, (units,))[0]
        else:
            snr = one.uniform(*self.snr_db, (units,))[0]
            lam_units = 1.0 / (1.0 + 10.0 ** (-snr / 10.0))
        lam = np.where(pairing.mixed, lam_units[pairing.unit], 1.0)
        return {"partner": pairing.partner, "lam": lam}

    def apply(self, batch: AudioBatch, params: dict[str, Any]) -> AudioBatch:
        audio, lengths = batch.audio, batch.lengths
        device = audio.device
        partner = torch.as_tensor(np.asarray(params["partner"], dtype=np.int64).reshape(-1), device=device)
        lam = torch.as_tensor(np.asarray(params["lam"], dtype=np.float64).reshape(-1), device=device)
        other = audio.index_select(0, partner)
        # the partner sounds only where both clips are valid: cut to the clip's length, silent past its own end
        # (whatever its padding holds)
        mask = length_mask(torch.minimum(lengths, lengths.index_select(0, partner)), audio.shape[-1])
        if mask is not None:
            other = other * mask
        if self.mix_by == "amplitude":
            own, theirs = lam, 1.0 - lam
        else:
            power_own = masked_rms(audio, lengths).square()
            power_other = masked_rms(other, lengths).square()
            reference = torch.where(power_own > 0, power_own, power_other)
            own = _amplitude(lam, reference, power_own)
            theirs = _amplitude(1.0 - lam, reference, power_other)
        shape = (-1, 1, 1)
        mixed = audio * own.to(audio.dtype).view(shape) + other * theirs.to(audio.dtype).view(shape)
        return batch.replace(audio=mixed)


def _amplitude(weight: torch.Tensor, reference: torch.Tensor, power: torch.Tensor) -> torch.Tensor:
    """``sqrt(weight * reference / power)`` per clip, 0 where ``power`` or the ratio is 0.

    Both ``torch.where`` branches are differentiated: the square root and the quotient only see safe values
    (the ratio 1 and the power 1 where they are not used), so a zero weight (a clip left unmixed, lam = 1) or a
    silent clip gives a zero gradient, never 0 * inf = NaN. The values are those of the plain formula.
    """
    ratio = weight * reference / torch.where(power > 0, power, 1.0).clamp(min=1e-300)
    used = (power > 0) & (ratio > 0)
    return torch.where(used, torch.where(used, ratio, 1.0).sqrt(), 0.0)
