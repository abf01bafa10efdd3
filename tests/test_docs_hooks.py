"""The documentation build's hooks (``docs_hooks/``): their text transformations."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

HOOKS = Path(__file__).resolve().parent.parent / "docs_hooks"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"docs_hooks_{name}", HOOKS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pycon_blocks_lose_doctest_markup_only_inside_pycon_fences() -> None:
    hook = load("pycon_blocks")
    page = (
        "Text <BLANKLINE> stays.\n\n"
        "```pycon\n>>> print('a\\n\\nb')  # doctest: +NORMALIZE_WHITESPACE\n"
        "a\n<BLANKLINE>\nb\n```\n\n"
        "!!! note\n    ```pycon\n    >>> f()  # doctest: +ELLIPSIS, -SKIP\n"
        "    <BLANKLINE>\n    ```\n\n"
        "```text\n<BLANKLINE>\n```\n"
    )
    assert hook.on_page_markdown(page) == (
        "Text <BLANKLINE> stays.\n\n"
        "```pycon\n>>> print('a\\n\\nb')\na\n\nb\n```\n\n"
        "!!! note\n    ```pycon\n    >>> f()\n    \n    ```\n\n"
        "```text\n<BLANKLINE>\n```\n"
    )


def test_copied_code_has_no_prompts_or_output() -> None:
    hook = load("pycon_blocks")
    block = (
        ">>> x = 1\n"
        ">>> for i in range(2):\n"
        "...     print(i)\n"
        "0\n"
        "1\n"
        ">>> x + 1\n"
        "2\n"
        ">>> f(x)\n"
        "Traceback (most recent call last):\n"
        "    ...\n"
        "ValueError: bad x\n"
    )
    assert hook.code_of(block) == ("x = 1\nfor i in range(2):\n    print(i)\n\nx + 1\nf(x)\n")
    assert hook.code_of("pip install csmetrics\n") is None


def test_rendered_blocks_get_their_code_to_copy() -> None:
    hook = load("pycon_blocks")
    html = (
        '<div class="highlight"><pre><span></span><code>'
        '<span class="gp">&gt;&gt;&gt; </span><span class="n">a</span> '
        '<span class="o">&lt;</span> 2\n'
        '<span class="go">True</span>\n</code></pre></div>'
        '<div class="highlight"><pre><span></span><code>echo hi\n</code></pre></div>'
    )
    out = hook.on_page_content(html)
    assert '<pre data-copy="a &lt; 2\n"><span></span><code>' in out
    assert out.count("data-copy") == 1


def test_see_also_entries() -> None:
    pytest.importorskip("griffe")
    hook = load("see_also")
    body = (
        "fcr : resolved at the first contact,\n"
        "    with no repeat.\n"
        "csmetrics.core.stats.rate_interval, csmetrics.core.stats.nps_interval,\n"
        "csmetrics.core.stats.t_interval : The single-result intervals.\n"
        "volume\n"
    )
    assert hook._entries(body) == [
        (["fcr"], "resolved at the first contact, with no repeat."),
        (
            [
                "csmetrics.core.stats.rate_interval",
                "csmetrics.core.stats.nps_interval",
                "csmetrics.core.stats.t_interval",
            ],
            "The single-result intervals.",
        ),
        (["volume"], ""),
    ]


def test_the_tutorials_figure_is_the_plot_its_examples_draw() -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("matplotlib")
    figures = load("figures")
    figures._matplotlib()
    cwd = Path.cwd()
    ax = figures._own_export_trend()
    # The examples move to a scratch folder; the build's directory is restored.
    assert Path.cwd() == cwd
    assert ax.get_title() == "Resolution rate per week"
    # One point per week of the export, 2 to 30 March.
    assert len(ax.lines[0].get_xdata()) == 5
    assert figures._png(ax).startswith(b"\x89PNG")
    page = (HOOKS.parent / "docs" / "tutorial.md").read_text(encoding="utf-8")
    assert "(figures/own-export-trend.png)" in page
