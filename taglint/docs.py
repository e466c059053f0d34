"""Rule documentation generated from the rule files, so it cannot drift.

``python -m taglint.docs`` rewrites ``docs/rules.md`` and the rule table in
``README.md`` (between the ``<!-- rules:start -->`` / ``<!-- rules:end -->``
markers) and the sample run at the top of ``README.md`` (the first
```console`` block: its ``$ taglint …`` command run in the folder the text
after it names, ``run in [folder](folder)``); ``--check`` only reports
whether they are stale (a test runs it).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Mapping

from taglint.ruleset import Rule

SECTIONS = (
    ("what-it-does", "What it does"),
    ("why-is-this-bad", "Why is this bad?"),
    ("example", "Example"),
    ("use-instead", "Use instead"),
    ("fix-safety", "Fix safety"),
    ("references", "References"),
)
README_START, README_END = "<!-- rules:start -->", "<!-- rules:end -->"


def conditional_severities(rule: Rule) -> str:
    """``; info for …`` for each finding the rule gives at another
    severity than its default (``severity-when`` in the rule file)."""
    return "".join(f"; {severity} for {when}" for severity, when in rule.severity_when)


def default_label(rule: Rule) -> str:
    label = rule.severity if rule.enabled else "off"
    label += conditional_severities(rule)
    if rule.strict_enabled or rule.strict_severity:
        strict = rule.strict_severity or rule.severity
        label += f"; {strict} in strict"
    return label


FIXABLE_LABELS = {"always": "yes", "sometimes": "sometimes", "never": "no"}


def rule_markdown(rule: Rule, heading: str = "#") -> str:
    out = [f"{heading} {rule.code} {rule.name}", "", f"{rule.summary}", ""]
    out.append(f"Default: **{default_label(rule)}**. Fixable: {FIXABLE_LABELS[rule.fixable]}. "
               f"Covers: {', '.join(rule.applies_to) or 'all file kinds'}.")
    out.append("")
    for key, title in SECTIONS:
        value = rule.docs.get(key)
        if not value:
            continue
        out.append(f"{heading}# {title}")
        out.append("")
        if key == "references":
            out.extend(f"- <{ref}>" for ref in value)
        elif key in ("example", "use-instead"):
            out.extend(["```", str(value).rstrip("\n"), "```"])
        else:
            out.append(str(value).strip())
        out.append("")
    return "\n".join(out)


def rules_table_markdown(rules: Mapping[str, Rule]) -> str:
    lines = ["| Code | Name | Default | Fix | Summary |", "|---|---|---|---|---|"]
    for rule in rules.values():
        summary = rule.summary.replace("|", "\\|")
        lines.append(f"| {rule.code} | {rule.name} | {default_label(rule)} | {FIXABLE_LABELS[rule.fixable]} | {summary} |")
    return "\n".join(lines) + "\n"


def rules_table_text(rules: Mapping[str, Rule], fmt: str = "text",
                     state: Mapping[str, str] | None = None) -> str:
    """Every rule: code, name, whether ``--fix`` changes its findings, its
    default, and (``state``: code → ``off`` or the severity it runs at under
    the current configuration) its effective state."""
    state = state if state is not None else {code: r.severity if r.enabled else "off" for code, r in rules.items()}
    if fmt == "markdown":
        return rules_table_markdown(rules)
    if fmt == "json":
        data = [
            {"code": r.code, "name": r.name, "severity": r.severity, "enabled": r.enabled,
             "default": default_label(r), "fixable": r.fixable, "state": state[r.code],
             "severity_when": dict(r.severity_when), "covers": list(r.applies_to), "summary": r.summary}
            for r in rules.values()
        ]
        return json.dumps(data, indent=2) + "\n"
    header = ("CODE", "NAME", "FIX", "NOW", "DEFAULT", "SUMMARY")
    rows = [(r.code, r.name, FIXABLE_LABELS[r.fixable], state[r.code], default_label(r), r.summary)
            for r in rules.values()]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1] + "\n"
        for row in [header, *rows]
    )


def rules_reference(rules: Mapping[str, Rule]) -> str:
    parts = [
        "# Rule reference",
        "",
        "Generated from `rules/` by `python -m taglint.docs`; do not edit by hand.",
        "",
        rules_table_markdown(rules),
    ]
    parts.extend(rule_markdown(rule, heading="##") for rule in rules.values())
    return "\n".join(parts).rstrip("\n") + "\n"


def readme_with_table(readme: str, rules: Mapping[str, Rule]) -> str:
    start = readme.index(README_START) + len(README_START)
    end = readme.index(README_END)
    return readme[:start] + "\n" + rules_table_markdown(rules) + readme[end:]


README_SAMPLE = re.compile(r"(```console\n\$ (taglint[^\n]*)\n)(.*?)(```\n[^`]{0,200}?run in \[([^\]]+)\])", re.S)


def sample_output(command: str, folder: Path) -> str:
    """What ``command`` (``taglint …``) prints, run in ``folder`` as a user
    runs it (a fresh process, no colour)."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "PRE_COMMIT")}
    run = subprocess.run([sys.executable, "-m", "taglint", *command.split()[1:]], cwd=folder,
                         capture_output=True, text=True, env={**env, "NO_COLOR": "1"}, timeout=300)
    return run.stdout


def readme_with_sample(readme: str, root: Path) -> str:
    """``readme`` with its sample run's output regenerated."""
    match = README_SAMPLE.search(readme)
    if match is None:
        return readme
    output = sample_output(match.group(2), root / match.group(5))
    return readme[: match.start(3)] + output + readme[match.end(3) :]


def main(argv: list[str] | None = None) -> int:
    from taglint.ruleset import builtin_rules

    args = sys.argv[1:] if argv is None else argv
    check = "--check" in args
    root = Path(__file__).resolve().parent.parent
    rules = builtin_rules()
    targets = {
        root / "docs" / "rules.md": rules_reference(rules),
        root / "README.md": readme_with_sample(
            readme_with_table((root / "README.md").read_text(encoding="utf-8"), rules), root
        ),
    }
    stale = [path for path, text in targets.items() if not path.exists() or path.read_text(encoding="utf-8") != text]
    if check:
        for path in stale:
            print(f"{path.relative_to(root)} is out of date: run `python -m taglint.docs`")
        return 1 if stale else 0
    for path in stale:
        path.write_text(targets[path], encoding="utf-8")
        print(f"wrote {path.relative_to(root)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
