"""Configs: files, versions, unknown names and keys, values out of range, no code from files."""

from __future__ import annotations

import json

import pytest
import torch
import yaml

import multiaug
import multiaug.audio as ma
import multiaug.image as mi
from multiaug import ConfigError


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
def test_save_and_load_round_trip(tmp_path, suffix) -> None:
    pipe = multiaug.Pipeline(
        [mi.HorizontalFlip(p=0.3), multiaug.OneOf([mi.HorizontalFlip(p=1.0)], weights=[2])]
    )
    path = tmp_path / f"pipe{suffix}"
    multiaug.save(pipe, path)
    text = path.read_text()
    data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    assert data["multiaug"] == multiaug.CONFIG_VERSION
    loaded = multiaug.load(path)
    x = torch.rand(8, 3, 8, 8)
    assert torch.equal(loaded(x, seed=3), pipe(x, seed=3))


def test_unknown_key_names_the_key_and_suggests() -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'gain_bd'.*did you mean 'gain_db'"):
        multiaug.from_config({"name": "audio.Gain", "gain_bd": 3})


def test_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(ConfigError, match=r"did you mean 'image.HorizontalFlip'"):
        multiaug.from_config({"name": "image.HorizontalFlipp"})


def test_value_out_of_range() -> None:
    with pytest.raises(ConfigError, match="p must be a probability"):
        multiaug.from_config({"name": "audio.Gain", "p": 1.5})
    with pytest.raises(ConfigError, match="gain_db"):
        multiaug.from_config({"name": "audio.Gain", "gain_db": [3, -3]})


def test_nested_errors_say_where() -> None:
    bad = {"name": "Pipeline", "augmenters": [{"name": "audio.Gain"}, {"name": "audio.Gain", "pp": 1}]}
    with pytest.raises(ConfigError, match=r"augmenters\[1\]"):
        multiaug.from_config(bad)


def test_version_and_missing_name(tmp_path) -> None:
    with pytest.raises(ConfigError, match="version"):
        multiaug.from_config({"multiaug": 99, "augmenter": {"name": "audio.Gain"}})
    with pytest.raises(ConfigError, match="no 'name'"):
        multiaug.from_config({"p": 1})
    path = tmp_path / "x.toml"
    path.write_text("")
    with pytest.raises(ConfigError, match="yaml"):
        multiaug.load(path)
    with pytest.raises(ConfigError, match="not found"):
        multiaug.load(tmp_path / "missing.yaml")


def test_yaml_never_runs_code(tmp_path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("!!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(ConfigError, match="cannot parse"):
        multiaug.load(path)


def test_dotted_paths_are_not_imported() -> None:
    with pytest.raises(ConfigError, match="unknown augmenter"):
        multiaug.from_config({"name": "os.system"})


def test_unsaveable_argument_is_a_clear_error() -> None:
    class Odd:
        pass

    gain = ma.Gain(gain_db=(1, 2))
    gain._init_args["gain_db"] = Odd()
    with pytest.raises(ConfigError, match="cannot store"):
        gain.to_config()


def test_registry_lists_names() -> None:
    names = multiaug.names("image")
    assert "image.HorizontalFlip" in names and all(n.startswith("image.") for n in names)


def test_a_bad_argument_names_the_class_the_user_built() -> None:
    import multiaug.text as mt

    with pytest.raises(ConfigError, match=r"^KeyboardTypo: .*'bogus'"):
        mt.KeyboardTypo(bogus=1)
