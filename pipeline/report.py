"""Human-readable text about a run: the one-screen summary and the problem lines."""

from __future__ import annotations

from pathlib import Path

from pipeline.output import FURNITURE_REASONS, tally
from pipeline.records import Problem
from pipeline.render import Tally
from pipeline.result import RunResult
from pipeline.review.apply import Outcome
from pipeline.textsafe import printable_name

_MAX_LANGS = 6  # languages listed by name in the summary; the rest are summed on one line


def problem_line(problem: Problem, raw_dir: Path) -> str:
    """``RAW_DIR/path[:line]: severity: reason``, one line per problem, with every control,
    format and bidi character of the name and the reason escaped (a file name is untrusted: it
    may hold ESC sequences, a newline that would forge another line, or U+202E)."""
    where = (raw_dir / problem.path).as_posix()
    if problem.line is not None:
        where += f":{problem.line}"
    return printable_name(f"{where}: {problem.severity}: {problem.reason}")


def review_line(outcome: Outcome, file_name: str) -> str:
    """``FILE:LINE: warning: ...`` for a decision that was stale or had no effect."""
    decision = outcome.decision
    return printable_name(
        f"{file_name or 'review'}:{decision.line}: warning: {decision.action} decision for "
        f"{decision.source} paragraph {decision.index} ({decision.hash}): {outcome.outcome}"
    )


def summary(result: RunResult, out_dir: Path | None = None, counts: Tally | None = None) -> str:
    """A short summary: articles, records per file, paragraphs in and out per language, fixes,
    flags, dropped paragraphs and problems (``counts``: the output's, when the writer counted
    them as it wrote)."""
    counts = counts or tally(result)
    errors = sum(1 for problem in result.problems if problem.severity == "error")
    warnings = len(result.problems) - errors
    per_file, out = counts.records_per_file, counts.paragraphs_out
    files = len(result.inputs)
    lines = [
        f"articles    {result.article_count} from {files} file{'s' * (files != 1)}"
        + (f" ({len(result.ignored)} other files ignored)" if result.ignored else ""),
        *(
            [
                f"index       {result.reused} unchanged file(s) taken from the index"
                + (
                    f", {result.remembered} of them no longer in RAW_DIR"
                    if result.remembered
                    else ""
                )
            ]
            if result.reused
            else []
        ),
        "records     "
        + (", ".join(f"{n} {name}" for name, n in sorted(per_file.items())) or "none"),
        "paragraphs  in -> out per language:",
    ]
    ranked = sorted(result.paragraphs_in.items(), key=lambda item: (-item[1], item[0]))
    for lang, count in ranked[:_MAX_LANGS]:
        lines.append(f"  {lang:<9} {count:>7} -> {out.get(lang, 0)}")
    if len(ranked) > _MAX_LANGS:
        rest = ranked[_MAX_LANGS:]
        rest_in = sum(count for _, count in rest)
        rest_out = sum(out.get(lang, 0) for lang, _ in rest)
        label = f"{len(rest)} more"
        lines.append(f"  {label:<9} {rest_in:>7} -> {rest_out} (see manifest.json)")
    certain, probable = counts.fix_confidence["certain"], counts.fix_confidence["probable"]
    flagged = sum(counts.flags.values())
    lines.append(
        f"fixes       {certain} certain, {probable} probable; {flagged} flag(s)"
        + (" to review (`pipeline scan`)" if flagged else "")
    )
    reasons = result.drop_reasons
    dropped = sum(reasons.values())
    furniture = sum(reasons[kind] for kind in FURNITURE_REASONS)
    parts = [
        f"{reasons['exact_duplicate']} exact",
        f"{reasons['near_duplicate']} near",
        f"{furniture} page furniture",
        *([f"{reasons['empty']} left empty by repair"] if reasons["empty"] else []),
        *([f"{reasons['editor']} by editors"] if reasons["editor"] else []),
    ]
    lines.append(f"dropped     {dropped}" + (f" ({', '.join(parts)})" if dropped else ""))
    kept = sum(result.furniture.values()) - furniture
    if kept > 0:
        lines.append(f"furniture   {kept} paragraph(s) kept with their kind as role")
    if result.review:
        applied = sum(1 for item in result.review if item.outcome.startswith("applied"))
        stale = sum(1 for item in result.review if item.stale)
        lines.append(
            f"review      {len(result.review)} decision(s): {applied} applied, "
            f"{len(result.review) - applied - stale} without effect, {stale} stale"
        )
    lines.append(f"problems    {errors} error(s), {warnings} warning(s)")
    if out_dir is not None:
        lines.append(f"written to  {printable_name(out_dir.as_posix())}")
    return "\n".join(lines)
