"""MkDocs hook: show the ```pycon examples clean, and copy only their code.

The examples are doctests (``tests/test_docs.py`` runs every page's blocks,
pytest the docstrings), so they carry doctest's markup. Readers should not
see it, and the copy button should give code that runs:

- ``<BLANKLINE>`` output lines are shown as the empty lines they stand for,
  and doctest directives (``# doctest: +ELLIPSIS``) are dropped, in the
  pages' pycon blocks (griffe already does both for docstring examples);
- every rendered block of ``>>>`` examples, on a page or from a docstring,
  gets a ``data-copy`` attribute holding its code without prompts or output,
  which Material's copy button copies instead of the block's text.
"""

from __future__ import annotations

import doctest
import html
import re
from typing import Any

# A ```pycon fence and its body, at any indentation (blocks in admonitions).
_FENCE = re.compile(
    r"^(?P<open>(?P<indent>[ \t]*)```pycon[^\n]*\n)(?P<body>.*?)(?P<close>^(?P=indent)```[ \t]*$)",
    re.MULTILINE | re.DOTALL,
)
_BLANKLINE = re.compile(r"^(?P<indent>[ \t]*)<BLANKLINE>[ \t]*$", re.MULTILINE)
_DIRECTIVE = re.compile(
    r"[ \t]*#[ \t]*doctest:[ \t]*[+-]\w+(?:[ \t]*,[ \t]*[+-]\w+)*[ \t]*$", re.MULTILINE
)

# A highlighted block: Pygments' <pre> (with its empty <span></span>) around <code>.
_PRE = re.compile(
    r"<pre(?P<attrs>[^>]*)>(?P<inner><span></span><code[^>]*>(?P<code>.*?)</code>)</pre>", re.DOTALL
)
_TAG = re.compile(r"<[^>]+>")
_PARSER = doctest.DocTestParser()


def _clean(match: re.Match[str]) -> str:
    body = _BLANKLINE.sub(lambda m: m.group("indent"), match.group("body"))
    body = _DIRECTIVE.sub("", body)
    return match.group("open") + body + match.group("close")


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Drop doctest markup from the page's pycon blocks before they are rendered."""
    return _FENCE.sub(_clean, markdown)


def code_of(text: str) -> str | None:
    """The code of a block of ``>>>`` examples, prompts and output left out; None if not one."""
    if not text.lstrip().startswith(">>>"):
        return None
    parts = []
    for example in _PARSER.get_examples(text):
        source = example.source
        parts.append(source)
        first = source.split("\n", 1)[0].rstrip()
        if source.count("\n") > 1 and (first.endswith(":") or first.startswith("@")):
            parts.append("\n")  # end a compound statement, as a REPL needs
    return "".join(parts).rstrip("\n") + "\n" if parts else None


def _copy_attribute(match: re.Match[str]) -> str:
    attrs = match.group("attrs")
    code = code_of(html.unescape(_TAG.sub("", match.group("code"))))
    if code is None or "data-copy=" in attrs:
        return match.group(0)
    return f'<pre{attrs} data-copy="{html.escape(code, quote=True)}">{match.group("inner")}</pre>'


def on_page_content(html_text: str, **kwargs: Any) -> str:
    """Give each rendered block of ``>>>`` examples the code its copy button copies."""
    return _PRE.sub(_copy_attribute, html_text)
