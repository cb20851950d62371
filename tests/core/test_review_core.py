"""Second review of the core: containers around size-changing ops, seeded augmenters in DataLoader workers."""

from __future__ import annotations

import json

import pytest
import torch

import multiaug
import multiaug.image as mi
from multiaug import OneOf, Pipeline, RandomOrder, Record, SomeOf


def _crops() -> list:
    return [mi.RandomCrop((16, 16), p=1.0), mi.CenterCrop((16, 16), p=1.0)]


@pytest.mark.parametrize(
    "make",
    [
        lambda: OneOf(_crops()),
        lambda: OneOf(
            [Pipeline([mi.RandomCrop((16, 16), p=1.0)]), mi.Resize((16, 16), p=1.0)], weights=[1, 2]
        ),
        lambda: RandomOrder([mi.Resize((16, 16), p=1.0), mi.HorizontalFlip(p=0.5)]),
        lambda: RandomOrder([mi.RandomResizedCrop((16, 16), p=1.0), mi.ColorJitter(brightness=0.3, p=0.7)]),
        lambda: SomeOf(_crops(), n=1),
    ],
)
def test_containers_whose_every_branch_sets_one_size_give_that_size(make) -> None:
    # every sample ends at 16x16 whichever branch or order it drew, so the batch is 16x16
    aug = make()
    x = torch.rand(8, 3, 24, 32)
    out, rec = aug(x, seed=2, return_params=True)
    assert out.shape == (8, 3, 16, 16)
    assert torch.equal(aug(x, params=json.loads(rec.dumps())), out)
    for i in (0, 5):
        assert torch.equal(aug(x[i : i + 1], seed=2, keys=[i]), out[i : i + 1])
        assert torch.equal(aug(x[i], params=Record.from_json(rec.sample(i).dumps())), out[i])


def test_a_size_change_on_some_samples_only_is_still_a_clear_error() -> None:
    aug = OneOf([mi.RandomCrop((16, 16), p=1.0), mi.HorizontalFlip(p=1.0)])
    with pytest.raises(multiaug.InputError, match="size"):
        aug(torch.rand(8, 3, 24, 32), seed=0)


class _Gains(torch.utils.data.Dataset):
    def __init__(self, aug) -> None:
        self.aug = aug

    def __len__(self) -> int:
        return 4

    def __getitem__(self, i: int) -> float:
        return float(self.aug(torch.ones(1, 8), sample_rate=8000)[0, 0])


def _epochs(seed: int, epochs: int) -> list[list[float]]:
    import multiaug.audio as ma

    aug = ma.Gain(gain_db=(-20, 20), p=1.0, seed=5)
    generator = torch.Generator().manual_seed(seed)
    loader = torch.utils.data.DataLoader(_Gains(aug), batch_size=None, num_workers=2, generator=generator)
    return [list(loader) for _ in range(epochs)]


def test_a_seeded_augmenter_in_dataloader_workers_changes_every_epoch_reproducibly() -> None:
    # fresh workers start every epoch from the same copy of the augmenter: its call counter alone would
    # repeat epoch 1 for ever; the DataLoader's per-epoch worker seed tells the epochs apart
    first = _epochs(0, 2)
    assert first[0] != first[1]
    assert len(set(first[0])) == 4
    assert _epochs(0, 2) == first  # the same DataLoader generator seed: the same epochs


@pytest.mark.parametrize(
    "weights", [[float("nan"), 1.0], [float("inf"), 1.0], ["a", 1.0], [True, 1.0], [1.0], {"a": 1, "b": 2}, 3]
)
def test_oneof_weights_must_be_finite_numbers_one_per_child(weights) -> None:
    # NaN or infinite weights chose child 0 for every sample without a word
    with pytest.raises(multiaug.ConfigError, match="OneOf weights must be 2 non-negative"):
        OneOf([mi.HorizontalFlip(p=1.0), mi.VerticalFlip(p=1.0)], weights=weights)
    config = {"name": "OneOf", "augmenters": [{"name": "image.HorizontalFlip"}] * 2, "weights": weights}
    with pytest.raises(multiaug.ConfigError, match=r"config \(OneOf\): OneOf weights"):
        multiaug.from_config(config)


def test_numpy_array_arguments_go_into_the_config_as_lists(tmp_path) -> None:
    import numpy as np

    aug = OneOf([mi.HorizontalFlip(p=1.0), mi.VerticalFlip(p=1.0)], weights=np.array([1, 3]))
    assert aug.to_config()["weights"] == [1, 3]
    multiaug.save(aug, tmp_path / "a.yaml")
    x = torch.rand(6, 3, 8, 8)
    assert torch.equal(multiaug.load(tmp_path / "a.yaml")(x, seed=1), aug(x, seed=1))


def test_a_numpy_integer_seed_is_accepted_at_construction_as_in_a_call() -> None:
    import numpy as np

    x = torch.rand(4, 3, 8, 8)
    a, b = mi.HorizontalFlip(seed=np.int64(3)), mi.HorizontalFlip(seed=3)
    assert torch.equal(a(x), b(x))
    assert a.to_config() == b.to_config()
    assert type(a.to_config()["seed"]) is int


def test_the_record_of_a_router_over_batched_fields_gives_per_sample_records() -> None:
    import multiaug.text as mt

    router = multiaug.Router(
        {"image": OneOf([mi.HorizontalFlip(p=1.0), mi.Rotate(p=1.0)]), "text": mt.RandomSwap(p=0.7)}
    )
    batch = {"image": torch.rand(4, 3, 8, 8), "text": ["a b c d", "e f g h", "i j k l", "m n o p"], "id": 7}
    out, rec = router(batch, seed=3, return_params=True)
    rec = Record.from_json(json.loads(rec.dumps()))
    assert len(rec) == 4
    for i in range(4):
        one = {"image": batch["image"][i : i + 1], "text": [batch["text"][i]]}
        again = router(one, params=Record.from_json(rec.sample(i).dumps()))
        assert torch.equal(again["image"][0], out["image"][i]) and again["text"] == [out["text"][i]]
    assert router(batch, params=rec)["text"] == out["text"]


def test_a_replay_record_string_that_is_not_json_is_an_input_error() -> None:
    with pytest.raises(multiaug.InputError, match="replay record"):
        mi.HorizontalFlip()(torch.rand(3, 8, 8), params="not json")
