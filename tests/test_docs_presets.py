"""The vendor preset pages and the metric pages' variants tables (``docs_hooks/presets.py``).

Every preset has a page in the navigation that shows each choice it makes
with its value and source; every metric function that takes a definition
choice has a variants table on its page, with a row for each value of each
choice, and every preset either linked in the row of the value it gives or
named among the presets the function refuses.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from csmetrics import presets
from csmetrics.metrics.presets import resolve

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _load() -> ModuleType:
    path = ROOT / "docs_hooks" / "presets.py"
    spec = importlib.util.spec_from_file_location("docs_hooks_presets", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hook = _load()


def expanded(page: str) -> str:
    """A page under ``docs/`` as the build renders its markers."""
    text: str = hook.expand((DOCS / page).read_text(encoding="utf-8"), page)
    return text


@pytest.mark.parametrize("name", presets.names())
def test_every_preset_has_a_page_in_the_nav_with_each_choice_its_value_and_source(
    name: str,
) -> None:
    page = hook.page_of(name)
    assert (DOCS / page).is_file()
    assert re.search(rf":\s+{re.escape(page)}\s*$", (ROOT / "mkdocs.yml").read_text(), re.M)
    text = expanded(page)
    preset = presets.get(name)
    assert preset.choices()
    for choice, value in preset.choices().items():
        source = preset.sources()[choice]
        if name.startswith(hook.FAMILIES):
            assert f'| `{name}` | `{choice}="{value}"` | {preset.description} |' in text
            assert f"**Source:** {source}.\n" in text
        else:
            assert f'`{choice}="{value}"`\n:   ' in text
            assert f"*Source:* {source}\n" in text
    for item in preset.not_modelled:
        assert f"- {item}\n" in text + "\n"
    assert "<!--" not in text


def test_the_overview_links_every_preset_and_lists_every_choice() -> None:
    text = expanded("presets.md")
    for name in presets.names():
        assert f"[{name}]({hook.page_of(name)})" in text
    for choice in presets.CHOICES:
        assert f"\n| `{choice}` | " in text


_HEADER = re.compile(r'^`(?P<choice>\w+)` \(default `"(?P<default>\w+)"`\):$')
_ROW = re.compile(r'^\| `"(?P<value>\w+)"` \| .* \| (?P<picked>.*) \|$')
_LINK = re.compile(r"\[(?P<name>[\w*-]+)\]\((?P<target>[^)]+)\)")


def variants_rows(text: str) -> dict[str, dict[str, str]]:
    """Each choice's variants table on an expanded page: value to its "picked by" cell."""
    tables: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in text.splitlines():
        header = _HEADER.match(line)
        if header:
            current = tables.setdefault(header["choice"], {})
            continue
        row = _ROW.match(line)
        if row and current is not None:
            current[row["value"]] = row["picked"]
        elif not line.startswith("|") and line:
            current = None
    return tables


def test_the_row_parser_reads_a_table_and_stops_after_it() -> None:
    text = (
        '`untouched` (default `"none"`):\n\n| value | what it does | picked by |\n'
        '| --- | --- | --- |\n| `"none"` | no class | [zendesk](../presets/zendesk.md) |\n\n'
        'Text.\n| `"one"` | elsewhere | x |\n'
    )
    assert variants_rows(text) == {"untouched": {"none": "[zendesk](../presets/zendesk.md)"}}


@pytest.mark.parametrize("function", hook.preset_functions())
def test_every_choice_value_and_preset_has_its_row_in_the_metric_pages_variants(
    function: str,
) -> None:
    page = f"metrics/{function}.md"
    text = expanded(page)
    tables = variants_rows(text)
    taken = hook.choices_of(function)
    assert taken
    assert set(tables) == set(taken)
    for choice in taken:
        assert list(tables[choice]) == list(presets.CHOICES[choice])
    refused = text[text.index(f"`{function}(..., preset=NAME)`") :].split("\n\n", 1)[0]
    for name in presets.names():
        target = "../" + hook.page_of(name)
        if not hook.applies(name, function):
            family = next((p for p in hook.FAMILIES if name.startswith(p)), None)
            label = f"{family}*" if family else name
            assert f"[{label}]({target})" in refused
            with pytest.raises(ValueError, match="defines nothing"):
                resolve(function, name, {}, taken)
            continue
        effective = resolve(function, name, {}, taken)
        for choice in taken:
            rows = [
                value
                for value, picked in tables[choice].items()
                if any(m["name"] == name for m in _LINK.finditer(picked))
            ]
            assert rows == [effective[choice]], (function, name, choice)
            assert f"[{name}]({target})" in tables[choice][effective[choice]]


def test_every_choice_has_a_variants_table_on_some_metric_page() -> None:
    shown = {
        choice
        for page in sorted((DOCS / "metrics").glob("*.md"))
        for choice in variants_rows(expanded(f"metrics/{page.name}"))
    }
    assert shown == set(presets.CHOICES)


def test_a_variants_marker_may_name_some_of_the_choices() -> None:
    text = hook.expand("<!-- variants ticket_metrics first_reply -->\n", "metrics/x.md")
    assert set(variants_rows(text)) == {"first_reply"}
    assert list(variants_rows(text)["first_reply"]) == list(presets.CHOICES["first_reply"])
    assert (
        "[intercom](../presets/intercom.md)" in variants_rows(text)["first_reply"]["after_customer"]
    )


def test_links_are_relative_to_the_page() -> None:
    assert "[zendesk](presets/zendesk.md)" in hook.expand("<!-- presets -->", "presets.md")
    nested = hook.expand("<!-- presets -->", "presets/zendesk.md")
    assert "[icmi-answered](icmi.md)" in nested
    assert "[zendesk](zendesk.md) (the default)" in nested


def test_text_without_a_marker_is_left_alone() -> None:
    text = "A page.\n\n    <!-- preset zendesk -->\n\nSee `<!-- variants fcr -->`.\n"
    assert hook.expand(text, "x.md") == text


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("<!-- variants fcr -->", "fcr takes no definition choice"),
        ("<!-- variants touch_rate reopens -->", "touch_rate takes no choice 'reopens'"),
        ("<!-- variants -->", "wrong number of arguments"),
        ("<!-- preset -->", "wrong number of arguments"),
        ("<!-- preset zendesk intercom -->", "wrong number of arguments"),
        ("<!-- preset-family nope- -->", "no preset name starts with 'nope-'"),
        ("<!-- preset nope -->", "nope"),
    ],
)
def test_a_wrong_marker_stops_the_build(marker: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        hook.expand(marker + "\n", "x.md")


_LEFT = re.compile(r"^[ \t]*<!--[ \t]*(?:variants|presets?|preset-family)\b", re.M)


def test_every_docs_page_expands_and_no_marker_is_left_unread() -> None:
    for page in sorted(DOCS.rglob("*.md")):
        uri = page.relative_to(DOCS).as_posix()
        assert not _LEFT.search(expanded(uri)), uri
