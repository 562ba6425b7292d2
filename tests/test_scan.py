"""``pipeline scan`` and ``--fix-level``: review listing, exit codes, and config-driven rules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from conftest import write

from pipeline.cli import main

GARBLED = (
    "Salaries\n\n"
    "The industry is worth nearly 654.38+000 billion.\n\n"
    "Pay can reach 8-65,438+10,000/year; the exam is on 65438+ 10/0/2.\n"
)
CLEAN = "Salaries\n\nIn 2010, 65,438 visitors paid 654.38 yuan.\n"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_scan_lists_repairs_and_flags_with_file_and_line_and_exits_1(raw_dir: Path) -> None:
    write(raw_dir, "a.txt", GARBLED)
    code, out, err = invoke("scan", str(raw_dir))
    assert code == 1
    where = (raw_dir / "a.txt").as_posix()
    assert out.splitlines() == [
        f'{where}:3: fixed marker_65438 (certain): "654.38+000" -> "100"',
        f'{where}:5: fixed marker_65438_magnitude (probable): "8-65,438+10,000" -> '
        '"80,000-100,000"',
        f'{where}:5: flag marker_65438: "65438+" -> ?: '
        "the 65438 marker (digit 1) in a context no rule repairs",
    ]
    assert "2 repair(s) (1 certain, 1 probable), 1 flag(s) in 1 file" in err


def test_scan_exits_0_when_only_repairs_or_nothing_are_found(raw_dir: Path) -> None:
    write(raw_dir, "clean.txt", CLEAN)
    assert invoke("scan", str(raw_dir)) == (
        0,
        "",
        "0 repair(s) (0 certain, 0 probable), 0 flag(s) in 1 file\n",
    )
    write(raw_dir, "fixable.txt", "Founded in 20 10.\n")
    code, out, _ = invoke("scan", str(raw_dir), "-q")
    assert code == 0 and "fixed split_year (certain)" in out


def test_scan_at_fix_level_certain_flags_probable_repairs(raw_dir: Path) -> None:
    write(raw_dir, "a.jsonl", json.dumps({"id": "x", "text": "Pay: 654.38+10,000 yuan."}) + "\n")
    code, out, _ = invoke("scan", str(raw_dir), "--fix-level", "certain", "--flags-only")
    assert code == 1
    assert out == (
        f'{(raw_dir / "a.jsonl").as_posix()}:1: flag marker_65438_magnitude: "654.38+10,000" -> '
        '"100,000": 65438+10,000 after a Chinese magnitude means 10万 = 100,000 '
        "(probable: not applied at fix level certain)\n"
    )


def test_scan_jsonl_format_gives_one_object_per_suspect(raw_dir: Path) -> None:
    write(raw_dir, "a.txt", GARBLED)
    code, out, _ = invoke("scan", str(raw_dir), "--format", "jsonl", "-q")
    assert code == 1
    items = [json.loads(line) for line in out.splitlines()]
    assert [(i["kind"], i["rule"], i["line"], i["paragraph"]) for i in items] == [
        ("fixed", "marker_65438", 3, 1),
        ("fixed", "marker_65438_magnitude", 5, 2),
        ("flag", "marker_65438", 5, 2),
    ]
    original = "Pay can reach 8-65,438+10,000/year; the exam is on 65438+ 10/0/2."
    flag = items[2]
    assert original[flag["start"] : flag["end"]] == flag["span"] == "65438+"


def test_scan_reports_unreadable_input_with_exit_3(raw_dir: Path) -> None:
    write(raw_dir, "a.jsonl", "{not json\n")
    code, _, err = invoke("scan", str(raw_dir))
    assert code == 3
    assert "a.jsonl:1: error: invalid JSON" in err


def test_scan_rejects_a_bad_user_rule_before_reading(raw_dir: Path) -> None:
    write(raw_dir, "a.txt", CLEAN)
    config = write(
        raw_dir.parent,
        "pipeline.toml",
        '[[repair.user_rules]]\nname = "broken"\npattern = "("\nreplacement = ""\n',
    )
    code, out, err = invoke("scan", str(raw_dir), "--config", str(config))
    assert code == 2 and out == ""
    assert "repair.user_rules[1]: pattern '(' is not a valid regular expression" in err


def test_run_fix_level_certain_keeps_probable_repairs_out_of_the_text(raw_dir: Path) -> None:
    write(raw_dir, "a.txt", GARBLED)
    assert invoke("run", str(raw_dir), "--out", "out", "-q", "--fix-level", "certain")[0] == 0
    record = json.loads(Path("out/en.jsonl").read_text(encoding="utf-8"))
    texts = [paragraph["text"] for paragraph in record["paragraphs"]]
    assert texts[1] == "The industry is worth nearly 100 billion."
    assert texts[2].startswith("Pay can reach 8-65,438+10,000/year")
    rules = [flag["rule"] for flag in record["paragraphs"][2]["flags"]]
    assert rules == ["marker_65438_magnitude", "marker_65438"]
    manifest = json.loads(Path("out/manifest.json").read_text(encoding="utf-8"))
    assert manifest["config"]["repair"]["fix_level"] == "certain"
    assert manifest["counts"]["flags"] == {"marker_65438": 1, "marker_65438_magnitude": 1}
    code, out, _ = invoke("run", str(raw_dir), "--out", "out2")
    assert code == 0 and "fixes       1 certain, 1 probable; 1 flag(s) to review" in out


def test_user_rules_and_disabled_rules_from_the_config_file(raw_dir: Path) -> None:
    write(raw_dir, "a.txt", "Salaries\n\nPay RMB 5,000 in 20 10.\n")
    write(
        raw_dir.parent,
        "pipeline.toml",
        '[repair]\ndisabled_rules = ["split_year"]\n'
        "[[repair.user_rules]]\n"
        'name = "rmb_sign"\npattern = "RMB ([0-9])"\nreplacement = "¥\\\\1"\n',
    )
    assert invoke("run", str(raw_dir), "--out", "out", "-q")[0] == 0
    record = json.loads(Path("out/en.jsonl").read_text(encoding="utf-8"))
    paragraph = record["paragraphs"][1]
    assert paragraph["text"] == "Pay ¥5,000 in 20 10."
    assert [(f["rule"], f["before"], f["after"]) for f in paragraph["fixes"]] == [
        ("rmb_sign", "RMB 5", "¥5")
    ]


def test_scan_as_a_subprocess(raw_dir: Path) -> None:
    write(raw_dir, "a.txt", GARBLED)
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "scan", str(raw_dir), "--flags-only", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout.count("\n") == 1 and "flag marker_65438" in done.stdout
