"""Second review of the mixed targets and loss (multiaug.core.mixing): regressions found by running the code."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import multiaug.image as mi
from multiaug.core.mixing import MixedTargets, mixed_loss


def test_loss_with_a_per_sample_criterion_is_a_scalar_whether_or_not_the_batch_was_mixed():
    # docs: with lam per sample, pass reduction="none"; the weighted losses are averaged. A batch the coin left
    # unmixed (p < 1) or a batch of one gives lam = 1.0, and the loss must still be the same kind of scalar.
    crit = torch.nn.CrossEntropyLoss(reduction="none")
    x, y = torch.rand(4, 3, 8, 8), torch.arange(4)
    logits = torch.randn(4, 4)
    aug = mi.MixupCutMix(mode="sample", p=0.5)
    kinds = set()
    for seed in range(8):
        _, targets = aug.mix(x, y, seed=seed)
        kinds.add(targets.per_sample)
        loss = targets.loss(logits, crit)
        assert loss.dim() == 0
        expected = targets.lam_per_sample() * crit(logits, targets.targets_a)
        expected = (expected + (1 - targets.lam_per_sample()) * crit(logits, targets.targets_b)).mean()
        torch.testing.assert_close(loss.double(), expected.double())
    assert kinds == {True, False}
    _, targets = mi.Mixup(mode="sample").mix(x[:1], y[:1], seed=0)
    assert targets.loss(logits[:1], crit).dim() == 0


def test_a_batch_lam_with_a_per_sample_criterion_is_the_mean_of_the_textbook_losses():
    a, b, logits = torch.tensor([0, 1, 2]), torch.tensor([2, 0, 1]), torch.randn(3, 3)
    crit = torch.nn.CrossEntropyLoss(reduction="none")
    loss = MixedTargets(a, b, 0.3).loss(logits, crit)
    torch.testing.assert_close(loss, (0.3 * crit(logits, a) + 0.7 * crit(logits, b)).mean())
    summed = torch.nn.CrossEntropyLoss(reduction="sum")
    loss = MixedTargets(a, b, 0.3).loss(logits, summed)
    torch.testing.assert_close(loss, 0.3 * summed(logits, a) + 0.7 * summed(logits, b))


@pytest.mark.parametrize(
    "lam", [torch.tensor(0.3), np.array(0.3), np.float32(0.3), torch.distributions.Beta(1.0, 1.0).sample()]
)
def test_a_scalar_lam_tensor_or_array_is_one_weight_for_the_batch(lam):
    # the classic code draws lam with np.random.beta or torch.distributions.Beta(...).sample(): a 0-d value
    a, b, logits = torch.tensor([0, 1, 2, 3]), torch.tensor([1, 2, 3, 0]), torch.randn(4, 4)
    value = float(lam)
    expected = value * F.cross_entropy(logits, a) + (1 - value) * F.cross_entropy(logits, b)
    targets = MixedTargets(a, b, lam)
    assert not targets.per_sample and targets.lam == pytest.approx(value)
    torch.testing.assert_close(mixed_loss(logits, [a, b, lam]), expected)
    assert targets.soft(4).shape == (4, 4)


def test_a_per_sample_lam_of_the_wrong_length_is_refused_with_both_sizes():
    a, b = torch.tensor([0, 1, 2, 3]), torch.tensor([1, 2, 3, 0])
    with pytest.raises(ValueError, match=r"2 weights.*4 samples"):
        MixedTargets(a, b, torch.tensor([0.3, 0.4]))
