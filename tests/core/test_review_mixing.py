"""Second review of the mixed targets and loss (multiaug.core.mixing): regressions found by running the code."""

from __future__ import annotations

import torch

import multiaug.image as mi
from multiaug.core.mixing import MixedTargets


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
