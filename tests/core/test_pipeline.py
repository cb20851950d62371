"""Containers: per-sample choices, how probabilities combine, stable streams, nesting, replay."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import multiaug
import multiaug.audio as ma
import multiaug.image as mi
from multiaug import ConfigError, InputTypeError, OneOf, Pipeline, RandomApply, RandomOrder, Router, SomeOf


def _gain(low: float, high: float, p: float = 1.0) -> ma.Gain:
    return ma.Gain(gain_db=(low, high), p=p)


X = torch.ones(400, 1, 16)


def _applied_gain_db(out: torch.Tensor) -> np.ndarray:
    return (20 * torch.log10(out[:, 0, 0])).numpy()


def test_pipeline_runs_steps_in_order_and_replays() -> None:
    pipe = Pipeline([_gain(6, 6), _gain(-3, 3, p=0.5)])
    out, rec = pipe(X, sample_rate=8000, seed=1, return_params=True)
    db = _applied_gain_db(out)
    assert (db > 2.9).all() and (db < 9.1).all()
    assert torch.equal(pipe(X, sample_rate=8000, params=json.loads(rec.dumps())), out)


def test_removing_a_step_keeps_the_other_steps_draws() -> None:
    flip = mi.HorizontalFlip(p=0.5)
    x = torch.rand(32, 3, 8, 8)
    with_gain = Pipeline([mi.VerticalFlip(p=0.5), flip]) if hasattr(mi, "VerticalFlip") else None
    _, rec_a = Pipeline([flip, mi.HorizontalFlip(p=0.3)]).__call__(x, seed=5, return_params=True)
    _, rec_b = Pipeline([flip]).__call__(x, seed=5, return_params=True)
    np.testing.assert_array_equal(rec_a.children[0][1].applied, rec_b.children[0][1].applied)
    if with_gain is not None:
        _, rec_c = with_gain(x, seed=5, return_params=True)
        np.testing.assert_array_equal(rec_c.children[1][1].applied, rec_b.children[0][1].applied)


def test_oneof_weights_are_separate_from_child_p() -> None:
    one = OneOf([_gain(6, 6, p=1.0), _gain(-6, -6, p=0.5)], weights=[1, 3])
    out, rec = one(X, sample_rate=8000, seed=2, return_params=True)
    choice = rec.info["choice"]
    assert abs((choice == 1).mean() - 0.75) < 0.07
    db = _applied_gain_db(out)
    # child 1 applies with its own p=0.5: P(-6 dB) = 0.75 * 0.5
    assert abs((db < -5).mean() - 0.375) < 0.07
    assert abs((db > 5).mean() - 0.25) < 0.07


def test_oneof_rejects_bad_weights() -> None:
    with pytest.raises(ConfigError, match="weights"):
        OneOf([_gain(1, 1)], weights=[1, 2])
    with pytest.raises(ConfigError, match="weights"):
        OneOf([_gain(1, 1), _gain(2, 2)], weights=[0, 0])


def test_someof_chooses_n_distinct_children_per_sample() -> None:
    some = SomeOf([_gain(1, 1), _gain(2, 2), _gain(4, 4)], n=(1, 2))
    out, rec = some(X, sample_rate=8000, seed=3, return_params=True)
    counts = rec.info["chosen"].sum(axis=1)
    assert set(np.unique(counts)) == {1, 2}
    expected = (rec.info["chosen"] * np.array([1, 2, 4])).sum(axis=1)
    np.testing.assert_allclose(_applied_gain_db(out), expected, atol=1e-4)
    with pytest.raises(ConfigError):
        SomeOf([_gain(1, 1)], n=2)


def test_random_apply_and_pipeline_probability() -> None:
    out = RandomApply(_gain(6, 6), p=0.25)(X, sample_rate=8000, seed=4)
    assert abs((_applied_gain_db(out) > 5).mean() - 0.25) < 0.07
    out = Pipeline([_gain(6, 6)], p=0.6)(X, sample_rate=8000, seed=4)
    assert abs((_applied_gain_db(out) > 5).mean() - 0.6) < 0.07


def test_random_order_draws_an_order_per_sample_and_replays() -> None:
    x = torch.arange(16.0).reshape(1, 1, 4, 4).repeat(50, 1, 1, 1) / 16
    flip_then_crop = RandomOrder([mi.HorizontalFlip(p=1.0), mi.HorizontalFlip(p=1.0)])
    out, rec = flip_then_crop(x, seed=0, return_params=True)
    orders = {tuple(o) for o in rec.info["order"]}
    assert orders == {(0, 1), (1, 0)}
    assert torch.equal(out, x)  # two flips in any order
    assert torch.equal(flip_then_crop(x, params=rec.dumps()), out)
    # the per-sample record lists the children in the order the sample saw them
    first = rec.sample(0)
    assert [c.name for _, c in first.children] == ["image.HorizontalFlip"] * 2


def test_nesting_and_config_round_trip() -> None:
    pipe = Pipeline([OneOf([_gain(1, 1), SomeOf([_gain(2, 2), _gain(3, 3)], n=1)]), RandomApply(_gain(5, 5))])
    config = json.loads(json.dumps(pipe.to_config()))
    rebuilt = multiaug.from_config(config)
    assert rebuilt.to_config() == config
    assert torch.equal(rebuilt(X, sample_rate=8000, seed=9), pipe(X, sample_rate=8000, seed=9))


def test_record_sample_is_a_replayable_record_of_one() -> None:
    pipe = Pipeline([OneOf([_gain(1, 3), _gain(-3, -1)]), _gain(0, 1, p=0.5)])
    out, rec = pipe(X[:10], sample_rate=8000, seed=1, return_params=True)
    for i in range(10):
        one = rec.sample(i)
        assert len(one) == 1
        again = pipe(X[i], sample_rate=8000, params=json.loads(one.dumps()))
        assert torch.equal(again, out[i])


def test_replay_on_the_wrong_augmenter_is_a_clear_error() -> None:
    _, rec = _gain(1, 1)(X[:2], sample_rate=8000, seed=0, return_params=True)
    with pytest.raises(multiaug.InputError, match="replay"):
        mi.HorizontalFlip()(torch.rand(2, 3, 4, 4), params=rec)
    with pytest.raises(multiaug.InputError, match="samples"):
        _gain(1, 1)(X[:3], sample_rate=8000, params=rec)


def test_mixing_modalities_is_an_error() -> None:
    with pytest.raises(ConfigError, match="Router"):
        Pipeline([mi.HorizontalFlip(), _gain(1, 1)])


def test_router_applies_one_pipeline_per_field() -> None:
    router = Router({"image": mi.HorizontalFlip(p=1.0), "audio": _gain(6, 6)})
    img = torch.rand(3, 4, 4)
    sample = {"image": img, "audio": {"audio": torch.ones(1, 10), "sample_rate": 8000}, "label": 2}
    out, rec = router(sample, seed=0, return_params=True)
    assert torch.equal(out["image"], img.flip(-1))
    assert out["audio"]["audio"][0, 0] == pytest.approx(10 ** (6 / 20), rel=1e-5)
    assert out["label"] == 2
    again = router(sample, params=json.loads(rec.dumps()))
    assert torch.equal(again["audio"]["audio"], out["audio"]["audio"])
    # adding a field leaves the other field's draws alone
    router2 = Router({"audio": _gain(-6, 6)})
    router3 = Router({"audio": _gain(-6, 6), "image": mi.HorizontalFlip()})
    a = router2({"audio": sample["audio"]}, seed=4)["audio"]["audio"]
    b = router3({"audio": sample["audio"], "image": img}, seed=4)["audio"]["audio"]
    assert torch.equal(a, b)
    with pytest.raises(multiaug.InputError, match="field"):
        router({"image": img})


def test_router_passes_the_sample_rate_to_audio_fields_and_names_the_dict_form() -> None:
    router = Router({"image": mi.HorizontalFlip(p=1.0), "audio": ma.LowPassFilter(p=1.0)})
    sample = {"image": torch.rand(3, 4, 4), "audio": torch.randn(1, 800)}
    out = router(sample, sample_rate=8000, seed=0)  # the image pipeline never sees sample_rate
    with_rate = router({**sample, "audio": {"audio": sample["audio"], "sample_rate": 8000}}, seed=0)
    assert torch.equal(out["audio"], with_rate["audio"]["audio"])
    with pytest.raises(InputTypeError, match="inside the field as a dict"):
        router(sample, mask=torch.zeros(4, 4))


@pytest.mark.parametrize(
    "make",
    [
        lambda s: OneOf([_gain(6, 6), _gain(-6, -6), _gain(0, 0)], same_on_batch=s),
        lambda s: SomeOf([_gain(6, 6), _gain(-12, -12), _gain(1, 1)], n=(1, 2), same_on_batch=s),
        lambda s: RandomApply(_gain(6, 6), p=0.5, same_on_batch=s),
        lambda s: Pipeline([_gain(6, 6)], p=0.5, same_on_batch=s),
    ],
    ids=["OneOf", "SomeOf", "RandomApply", "Pipeline"],
)
def test_same_on_batch_makes_one_choice_for_the_whole_batch(make) -> None:
    x = X[:64]
    seen = set()
    for seed in range(12):
        db = np.round(_applied_gain_db(make(True)(x, sample_rate=8000, seed=seed)), 4)
        assert len(set(db.tolist())) == 1  # every sample took the same branch
        seen.add(float(db[0]))
        alone = make(True)(x[5:6], sample_rate=8000, seed=seed, keys=[5])
        assert torch.equal(
            alone, make(True)(x, sample_rate=8000, seed=seed)[5:6]
        )  # the batch does not matter
    assert len(seen) > 1  # ... but the choice is random from batch to batch
    per_sample = np.round(_applied_gain_db(make(False)(x, sample_rate=8000, seed=0)), 4)
    assert len(set(per_sample.tolist())) > 1
    aug = make(True)
    assert multiaug.from_config(aug.to_config()).to_config() == aug.to_config()
    assert aug.to_config()["same_on_batch"] is True


def test_random_order_same_on_batch_and_bad_flag() -> None:
    ro = RandomOrder([mi.Rotate90(p=1.0), mi.HorizontalFlip(p=1.0)], same_on_batch=True)
    _, rec = ro(torch.rand(16, 1, 6, 6), seed=3, return_params=True)
    assert len({tuple(row) for row in np.asarray(rec.info["order"]).tolist()}) == 1
    with pytest.raises(ConfigError, match="same_on_batch"):
        OneOf([_gain(1, 1)], same_on_batch=1)  # type: ignore[arg-type]
