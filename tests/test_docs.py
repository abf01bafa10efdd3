"""Run the ```pycon examples of every documentation page, so the docs cannot rot.

Each Markdown file under ``docs/`` is one test. Its ```pycon blocks run in
order with doctest, sharing one namespace, so a page can build data in one
block and use it in the next. A failure shows doctest's report, with line
numbers in the Markdown file.
"""

from __future__ import annotations

import doctest
import re
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))

# An opening fence with the pycon language, the block, and a closing fence at
# the same indentation (blocks may sit inside admonitions, indented).
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```pycon[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


def pycon_blocks(text: str) -> list[tuple[int, str]]:
    """The (first line number, 0-based; source) of each ```pycon block."""
    blocks = []
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start("body"))
        blocks.append((line, textwrap.dedent(match.group("body"))))
    return blocks


def test_fence_pattern_finds_blocks() -> None:
    text = "x\n```pycon\n>>> 1 + 1\n2\n```\n\n!!! note\n    ```pycon\n    >>> 2\n    2\n    ```\n"
    assert pycon_blocks(text) == [(2, ">>> 1 + 1\n2\n"), (8, ">>> 2\n2\n")]


def run_examples(text: str, name: str) -> tuple[int, str]:
    """Run a page's pycon blocks in one namespace; return (failures, report)."""
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    globs: dict[str, object] = {"__name__": "__docs__"}
    report: list[str] = []
    for line, source in pycon_blocks(text):
        test = parser.get_doctest(source, globs, name, name, line)
        test.globs = globs  # DocTest copies its globals; share them across blocks
        runner.run(test, out=report.append, clear_globs=False)
    return runner.failures, "".join(report)


def test_blocks_share_a_namespace_and_failures_are_reported() -> None:
    text = "```pycon\n>>> x = 2\n```\n\n```pycon\n>>> x + 1\n4\n```\n"
    failures, report = run_examples(text, "page.md")
    assert failures == 1
    assert 'File "page.md", line 6' in report
    assert "Expected:\n    4\nGot:\n    3" in report


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_examples_in_page(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Pages read files relative to the repository (tests/data/...) and may move
    # to a scratch folder of their own; the next test starts back at the root.
    monkeypatch.chdir(ROOT)
    failures, report = run_examples(page.read_text(encoding="utf-8"), str(page.relative_to(ROOT)))
    if failures:
        pytest.fail(report, pytrace=False)


# An ELLIPSIS elision in an expected output: "..." starting or ending a word
# ("...tickets.csv", "reader, ..."), not the traceback's own "..." line and not
# an ellipsis a message itself writes ("columns=...)").
ELIDED = re.compile(r"(?:^|[\s:;,(\[])\.\.\.(?=[\w/.'\"]|$)")


def elided_lines(text: str) -> list[str]:
    """The expected-output lines of a page's pycon blocks that elide part of the output."""
    wants = [
        line.strip()
        for _, source in pycon_blocks(text)
        for example in doctest.DocTestParser().get_examples(source)
        for line in example.want.splitlines()
    ]
    return [line for line in wants if line != "..." and ELIDED.search(line)]


def test_elided_lines_are_found() -> None:
    text = (
        "```pycon\n>>> f()\nTraceback (most recent call last):\n    ...\n"
        "Error: ...tickets.csv: bad; ...\n>>> g()\ntake(x=...) and h(a, ...)\n```\n"
    )
    assert elided_lines(text) == ["Error: ...tickets.csv: bad; ..."]


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_pages_show_outputs_whole(page: Path) -> None:
    # Readers see the expected outputs as written: an elided path or message
    # reads as a broken example, so pages show whole outputs (wrapped lines are
    # fine: the examples run with NORMALIZE_WHITESPACE).
    assert elided_lines(page.read_text(encoding="utf-8")) == []
