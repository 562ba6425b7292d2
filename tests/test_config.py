"""Config: defaults, pipeline.toml, [tool.pipeline] in pyproject.toml, validation."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from conftest import REPO

from pipeline.config import Config, ConfigError, config_from_mapping, load_config


def test_defaults_without_a_config_file(tmp_path: Path) -> None:
    assert load_config(start=tmp_path) == Config()


def test_pipeline_toml_is_found_upwards(tmp_path: Path) -> None:
    (tmp_path / "pipeline.toml").write_text(
        'jobs = 2\n[language]\nmixed_min_share = 0.4\n[segmentation]\nuser_words = ["呼叫中心"]\n',
        encoding="utf-8",
    )
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    config = load_config(start=nested)
    assert config.jobs == 2
    assert config.language.mixed_min_share == 0.4
    assert config.segmentation.user_words == ("呼叫中心",)


def test_pyproject_tool_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.pipeline.input]\nparagraph_split = "line"\n', encoding="utf-8"
    )
    assert load_config(start=tmp_path).input.paragraph_split == "line"


def test_pyproject_without_tool_table_is_not_a_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert load_config(start=tmp_path) == Config()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"colour": "blue"}, "unknown option(s) colour"),
        ({"language": {"mixed_min_share": "high"}}, "'mixed_min_share' must be a number"),
        ({"language": {"mixed_min_share": 0.9}}, "must be in (0, 0.5]"),
        ({"input": {"paragraph_split": "sentences"}}, "must be one of auto, blank, line"),
        ({"input": {"encoding": "klingon-8"}}, "unknown encoding 'klingon-8'"),
        ({"input": {"extensions": ["txt"]}}, "must start with '.'"),
        ({"segmentation": {"user_words": "呼叫中心"}}, "must be a list of strings"),
        ({"segmentation": {"hmm": 1}}, "'hmm' must be true or false"),
        (
            {"segmentation": {"user_dict": "no/such/file.txt"}},
            "cannot read user_dict no/such/file.txt",
        ),
        ({"jobs": 0}, "'jobs' must be from 1 to 1024"),
        ({"jsonl": "text"}, "'jsonl' must be a table"),
    ],
)
def test_bad_options_are_clear_errors(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=None) as error:
        config_from_mapping(table, "pipeline.toml")
    assert message in str(error.value)
    assert str(error.value).startswith("pipeline.toml")


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "pipeline.toml"
    path.write_text("jobs = = 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(path)


def test_manifest_config_leaves_out_jobs() -> None:
    data = Config(jobs=4).output_dict()
    assert "jobs" not in data
    assert data["input"]["extensions"] == [".txt", ".md", ".jsonl"]


@pytest.mark.parametrize("encoding", ["undefined", "idna", "rot13"])
def test_encodings_that_cannot_decode_files_are_rejected(encoding: str) -> None:
    with pytest.raises(ConfigError, match="encoding"):
        config_from_mapping({"input": {"encoding": encoding}})


def test_user_dict_must_be_utf8(tmp_path: Path) -> None:
    userdict = tmp_path / "terms.txt"
    userdict.write_bytes("呼叫中心 10 n\n".encode("gb18030"))
    with pytest.raises(ConfigError, match="is not UTF-8 text"):
        config_from_mapping({"segmentation": {"user_dict": str(userdict)}})


def test_user_dict_is_relative_to_the_config_file_and_named_by_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "terms.txt").write_text("呼叫中心 10 n\n", encoding="utf-8")
    (tmp_path / "pipeline.toml").write_text('[segmentation]\nuser_dict = "terms.txt"\n', "utf-8")
    elsewhere = tmp_path / "sub"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = load_config()
    assert Path(config.segmentation.user_dict) == tmp_path / "terms.txt"
    written = config.output_dict()["segmentation"]
    assert written["user_dict"] == "terms.txt"
    assert len(written["user_dict_sha256"]) == 64


def test_the_readme_config_example_is_valid_and_shows_every_default() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Config", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    table = tomllib.loads(block)["tool"]["pipeline"]
    config = config_from_mapping(table)
    assert config.repair.user_rules[0].name == "rmb_sign"
    defaults = Config().output_dict()
    shown = config_from_mapping({**table, "repair": {**table["repair"], "user_rules": []}})
    assert shown.output_dict() == defaults
