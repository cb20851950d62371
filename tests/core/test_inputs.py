"""Bad input gets a clear error that says what was expected and what came; good input keeps its form."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

import multiaug
import multiaug.audio as ma
import multiaug.image as mi
from multiaug import ConfigError, InputError, InputTypeError


@pytest.mark.parametrize(
    "data,error,match",
    [
        ("a string", InputTypeError, "torch.Tensor, got str"),
        (torch.rand(4, 4), InputError, r"\(C,H,W\) or \(B,C,H,W\)"),
        (torch.rand(1, 2, 3, 4, 4), InputError, r"\(C,H,W\) or \(B,C,H,W\)"),
        (torch.zeros(2, 2, 2, dtype=torch.int32), InputTypeError, "uint8"),
        (torch.rand(0, 3, 4, 4), InputError, "empty"),
    ],
)
def test_image_bad_input(data, error, match) -> None:
    with pytest.raises(error, match=match):
        mi.HorizontalFlip()(data)


@pytest.mark.parametrize(
    "data,kwargs,error,match",
    [
        ([0.1, 0.2], {}, InputTypeError, "torch.Tensor, got list"),
        (torch.zeros(10, dtype=torch.int16), {}, InputTypeError, "floating-point"),
        (torch.tensor([0.0, float("nan")]), {}, InputError, "NaN"),
        (torch.tensor([0.0, float("inf")]), {}, InputError, "NaN or infinite"),
        (torch.zeros(1, 2, 3, 4), {}, InputError, r"\(T,\), \(C,T\) or \(B,C,T\)"),
        (torch.zeros(0), {}, InputError, "empty"),
        (torch.zeros(2, 1, 8), {"lengths": [9, 2]}, InputError, "lengths"),
        (torch.zeros(2, 1, 8), {"lengths": [1]}, InputError, "one length per clip"),
        (torch.zeros(8), {"sample_rate": -1}, ConfigError, "sample_rate"),
        (torch.zeros(8), {"rate": 8000}, InputTypeError, "unknown keyword"),
    ],
)
def test_audio_bad_input(data, kwargs, error, match) -> None:
    with pytest.raises(error, match=match):
        ma.AddGaussianSNR()(data, **kwargs)


def test_pointwise_audio_ops_keep_non_finite_values_in_place_and_others_refuse_them() -> None:
    x = torch.tensor([[0.5, float("nan"), -0.25, float("inf")]])
    for op in (ma.Gain(gain_db=(6, 6), p=1.0), ma.PolarityInversion(p=1.0), ma.AddGaussianNoise(p=1.0)):
        y = op(x, sample_rate=8000)
        assert torch.equal(torch.isfinite(y), torch.isfinite(x)), op
    y = ma.Shift(shift=(1, 1), unit="samples", p=1.0)(x, sample_rate=8000)
    assert torch.equal(torch.isnan(y), torch.isnan(x.roll(1, -1)))
    pipeline = multiaug.Pipeline([ma.Gain(p=1.0), ma.AddGaussianSNR(p=1.0)])
    with pytest.raises(InputError, match="NaN or infinite"):
        pipeline(x, sample_rate=8000)
    with pytest.raises(InputError, match="NaN or infinite"):  # checks its own peak instead
        ma.PeakNormalization(p=1.0)(x, sample_rate=8000)


def test_text_bad_input() -> None:
    from multiaug.text.base import TextBatch

    with pytest.raises(InputTypeError, match="str or a list of str"):
        TextBatch.pack(torch.zeros(2))
    with pytest.raises(InputTypeError, match="item 1"):
        TextBatch.pack(["a", 3])
    with pytest.raises(InputError, match="empty"):
        TextBatch.pack([])


@pytest.mark.parametrize("p", [-0.1, 1.5, "0.5", float("nan")])
def test_p_outside_unit_interval(p) -> None:
    with pytest.raises(ConfigError, match="p must be"):
        mi.HorizontalFlip(p=p)


def test_bad_keys_and_seed() -> None:
    x = torch.rand(2, 3, 4, 4)
    with pytest.raises(InputError, match="one integer per sample"):
        mi.HorizontalFlip()(x, keys=[1, 2, 3])
    with pytest.raises(InputTypeError, match="integers"):
        mi.HorizontalFlip()(x, keys=[0.5, 1.5])
    with pytest.raises(InputError, match="seed"):
        mi.HorizontalFlip()(x, seed="a")


def test_shapes_dtypes_and_ranks_are_kept() -> None:
    flip = mi.HorizontalFlip(p=1.0)
    for x in (torch.rand(3, 5, 6), torch.rand(2, 1, 5, 6), (torch.rand(2, 4, 5, 6) * 255).byte()):
        y = flip(x)
        assert y.shape == x.shape and y.dtype == x.dtype
    img, mask = torch.rand(3, 5, 6), torch.randint(0, 4, (5, 6))
    out = flip(image=img, mask=mask)
    assert out["mask"].shape == mask.shape and torch.equal(out["mask"], mask.flip(-1))
    gain = ma.Gain(p=1.0)
    for a in (torch.rand(50), torch.rand(2, 50), torch.rand(3, 2, 50)):
        assert gain(a, sample_rate=8000).shape == a.shape
    out = gain(audio=torch.rand(2, 1, 50), sample_rate=8000, lengths=[50, 20])
    assert out["lengths"].tolist() == [50, 20]


def test_import_is_light_and_has_no_side_effects() -> None:
    code = (
        "import sys, random; s = random.getstate(); import multiaug, multiaug.text;"
        "assert 'torch' not in sys.modules, 'torch imported';"
        "assert random.getstate() == s; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


def test_public_api() -> None:
    for name in (
        "Augmenter",
        "Pipeline",
        "OneOf",
        "SomeOf",
        "RandomApply",
        "RandomOrder",
        "Router",
        "from_config",
        "save",
        "load",
    ):
        assert hasattr(multiaug, name)
    assert isinstance(mi.HorizontalFlip(), multiaug.Augmenter)
    assert isinstance(multiaug.Pipeline([mi.HorizontalFlip()]), multiaug.Augmenter)


def test_seeds_beyond_64_bits_are_refused_not_aliased() -> None:
    x = torch.rand(2, 1, 4, 4)
    flip = mi.HorizontalFlip(p=0.5)
    assert torch.equal(flip(x, seed=-1), flip(x, seed=2**64 - 1))  # the same 64-bit pattern, by design
    for seed in (2**64, -(2**63) - 1):
        with pytest.raises(InputError, match="64 bits"):
            flip(x, seed=seed)


@pytest.mark.parametrize(
    "build",
    [
        lambda: ma.Shift(fill=(0.0, 0.5)),
        lambda: ma.TimeMask(fade=(0.01, 0.02)),
        lambda: ma.TimeMasking(max_fraction=(0.1, 0.2)),
        lambda: ma.SevenBandParametricEQ(center_jitter=(0.0, 0.1)),
        lambda: mi.GaussianNoise(mean=(0.0, 0.1)),
        lambda: mi.Affine(translate=((0.1, 0.2), 0.1)),
        lambda: mi.Perspective(distortion_scale=(0.2, 0.8)),
        lambda: mi.Mixup(alpha=(0.2, 0.4)),
        lambda: mi.AugMix(severity=(2, 5)),
        lambda: mi.AugMix(mixture_width=(1, 4)),
        lambda: mi.AugMix(alpha=(0.5, 2.0)),
        lambda: mi.RandAugment(num_ops=(1, 3)),
        lambda: mi.RandAugment(magnitude=(2, 9)),
        lambda: mi.TrivialAugmentWide(num_magnitude_bins=(5, 31)),
    ],
)
def test_single_number_settings_refuse_a_range_instead_of_keeping_its_first_value(build) -> None:
    with pytest.raises(ConfigError, match="single number, not a range"):
        build()


def test_numpy_and_torch_scalars_are_accepted_as_single_numbers() -> None:
    import numpy as np

    assert mi.AugMix(severity=np.int64(4), alpha=np.float32(0.5)).severity == 4
    assert mi.RandAugment(num_ops=torch.tensor(3), magnitude=np.int32(7)).num_ops == 3
    assert ma.Shift(fill=np.array(0.25)).fill == 0.25
    with pytest.raises(ConfigError, match="integer"):
        mi.RandAugment(num_ops=np.float64(2.0))


def test_small_tensor_arguments_are_saved_as_numbers_and_data_tensors_are_refused() -> None:
    aug = mi.RandAugment(num_ops=torch.tensor(3))
    assert aug.to_config()["num_ops"] == 3 and multiaug.from_config(aug.to_config()).num_ops == 3
    norm = mi.Normalize(mean=torch.tensor([0.5, 0.4, 0.3]), std=torch.tensor([0.2, 0.2, 0.2]))
    assert norm.to_config()["mean"] == pytest.approx([0.5, 0.4, 0.3])
    bank = ma.AddBackgroundNoise(torch.zeros(2, 1, 8000), sources_sample_rate=8000)
    with pytest.raises(ConfigError, match="config cannot store"):
        bank.to_config()
