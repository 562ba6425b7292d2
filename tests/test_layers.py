"""Lower layers never import higher ones: the leaves import nothing of the pipeline but other
leaves, the config imports no stage, the writers and the summary do not import the runner, and
nothing imports the command line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline"
LEAVES = {
    "pipeline.version",
    "pipeline.layout",
    "pipeline.rules",
    "pipeline.textsafe",
    "pipeline.tokens",
    "pipeline.user_patterns",
    "pipeline.legacy_text",
    "pipeline.collector",
    "pipeline.fast_segmentation",
    "pipeline.jieba_hmm",
    "pipeline.recent",
    "pipeline.text_width",
}
ALLOWED = {
    "pipeline.records": {"pipeline.tokens"},
    # The spill sits under the corpus stages: it knows records and keys, no stage.
    "pipeline.spill": {
        "pipeline.fingerprint",
        "pipeline.fragments",
        "pipeline.paragraph_table",
        "pipeline.records",
        "pipeline.text_width",
    },
    "pipeline.paragraph_table": {
        "pipeline.fingerprint",
        "pipeline.records",
        "pipeline.stub_drop",
    },
    # A dropped stub's light entry knows only the record model.
    "pipeline.stub_drop": {"pipeline.records"},
    "pipeline.fragments": {"pipeline.records", "pipeline.tokens"},
    # The last pass reads the spill and knows no stage, and no writer.
    "pipeline.final": {
        "pipeline.fragments",
        "pipeline.paragraph_table",
        "pipeline.records",
        "pipeline.spill",
    },
    "pipeline.ordered": set(),
    # The output set and the lock move folders and files; they know only the layout's names.
    "pipeline.outset": {"pipeline.layout"},
    "pipeline.lock": {"pipeline.layout"},
    "pipeline.dedup_items": {"pipeline.paragraph_table", "pipeline.records"},
    "pipeline.langdetect_numpy": set(),
    "pipeline.config": {*LEAVES, "pipeline.config_checks"},
    # The config's checks know its dataclasses for their types only.
    "pipeline.config_checks": {"pipeline.rules", "pipeline.config"},
    **{leaf: LEAVES for leaf in LEAVES},
}
FORBIDDEN = {
    "pipeline.output": {"pipeline.runner", "pipeline.cli", "pipeline.parallel"},
    "pipeline.render": {"pipeline.runner", "pipeline.cli", "pipeline.parallel"},
    "pipeline.report": {"pipeline.runner", "pipeline.cli", "pipeline.parallel"},
    "pipeline.result": {"pipeline.runner"},
}


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("pipeline")}


MODULES = {_module(path): _imports(path) for path in sorted(PACKAGE.rglob("*.py"))}


@pytest.mark.parametrize("module", sorted(ALLOWED))
def test_low_layers_import_only_what_they_may(module: str) -> None:
    assert MODULES[module] - {module} <= ALLOWED[module]


@pytest.mark.parametrize("module", sorted(FORBIDDEN))
def test_the_writers_and_the_summary_do_not_import_the_runner(module: str) -> None:
    assert not MODULES[module] & FORBIDDEN[module]


def test_nothing_imports_the_command_line() -> None:
    users = {
        m
        for m, imports in MODULES.items()
        if {"pipeline.cli", "pipeline.cli_review", "pipeline.cli_run"} & imports
    }
    assert users <= {"pipeline.cli", "pipeline.cli_run", "pipeline.__main__"}
