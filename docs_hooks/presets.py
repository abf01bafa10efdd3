"""MkDocs hook: the vendor preset pages and the metric pages' variants tables, from the code.

Every table that says which value a preset gives a definition choice is
written here, at build time, from the `Preset` objects of
`csmetrics.presets`, the choices' meanings (`csmetrics.presets.difference.MEANINGS`)
and the signatures of the catalogue's metric functions: a page cannot say
something the code no longer does. A page asks for a table with an HTML
comment on a line of its own:

``<!-- presets -->``
    the list of presets, each linked to its page (the overview page);
``<!-- preset NAME -->``
    one preset: every choice it makes with its value, meaning and source,
    the choices it leaves to the default, the metrics it applies to, its
    headline aggregation and what it does not model;
``<!-- preset-family PREFIX -->``
    the presets whose names start with PREFIX (the ``icmi-*`` formulas), one
    row each;
``<!-- variants FUNCTION [CHOICE ...] -->``
    the definition choices of a metric function (all it takes, or those
    named): each value, what it does, which preset picks it, the default.

Each preset has its page under ``presets/`` (`page_of`); the ``icmi-*``
presets share one. ``tests/test_docs_hooks.py`` checks that every preset
has its page and every choice its rows.
"""

from __future__ import annotations

import inspect
import posixpath
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

MARKER = re.compile(
    r"^<!--[ \t]*(?P<kind>presets|preset|preset-family|variants)(?P<args>(?:[ \t]+[\w.*-]+)*)"
    r"[ \t]*-->[ \t]*$",
    re.MULTILINE,
)
FAMILIES = ("icmi-",)
"""Name prefixes of presets that share one page (``presets/icmi.md``)."""


def _library() -> tuple[Any, Any, Any]:
    """The catalogue, the presets and the choices' meanings, from the source tree."""
    src = str(ROOT / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    from csmetrics import catalog, presets  # noqa: PLC0415 (after the source tree is on the path)
    from csmetrics.presets.difference import MEANINGS  # noqa: PLC0415

    return catalog, presets, MEANINGS


def page_of(name: str) -> str:
    """The page of a preset, relative to ``docs/``: ``presets/zendesk.md``, ``presets/icmi.md``."""
    for prefix in FAMILIES:
        if name.startswith(prefix):
            return f"presets/{prefix.rstrip('-')}.md"
    return f"presets/{name}.md"


def _link(name: str, here: str) -> str:
    """A Markdown link to a preset's page from the page ``here`` (relative to ``docs/``)."""
    target = posixpath.relpath(page_of(name), posixpath.dirname(here) or ".")
    return f"[{name}]({target})"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _and(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return " and ".join(filter(None, [", ".join(items[:-1]), *items[-1:]]))


def _sentence(text: str) -> str:
    """The text with a capital first letter and a final full stop."""
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else f"{text}."


def _meaning(choice: str, value: str) -> str:
    """What a value of a choice does: the reconciliation note's words, or the ICMI formula."""
    _, presets, meanings = _library()
    if choice in meanings:
        return str(meanings[choice][value])
    for name in presets.names():
        made = presets.get(name)
        if made.choices().get(choice) == value:
            return str(made.description)
    return ""


def _default(choice: str) -> str:
    """The library's value of a choice when neither keyword nor preset gives one."""
    _library()
    from csmetrics.metrics.presets import resolve  # noqa: PLC0415

    return resolve("the docs", None, {}, (choice,))[choice]


def choices_of(function: str) -> tuple[str, ...]:
    """The definition choices a catalogue metric function takes, in `CHOICES` order."""
    catalog, presets, _ = _library()
    parameters = inspect.signature(catalog.get(function).function).parameters
    return tuple(choice for choice in presets.CHOICES if choice in parameters)


def applies(name: str, function: str) -> bool:
    """Whether a preset gives ``function`` a choice (else ``preset=name`` is an error there)."""
    _, presets, _ = _library()
    return bool(set(presets.get(name).choices()) & set(choices_of(function)))


def preset_functions() -> tuple[str, ...]:
    """The catalogue's metric functions that take ``preset=``."""
    catalog, _, _ = _library()
    return tuple(
        entry.name
        for entry in catalog.entries()
        if "preset" in inspect.signature(entry.function).parameters
    )


def render_presets(here: str) -> str:
    """The overview's list of presets, each linked to its page."""
    _, presets, _ = _library()
    lines = ["| preset | reproduces |", "| --- | --- |"]
    for name in presets.names():
        preset = presets.get(name)
        default = " (the default)" if name == presets.DEFAULT else ""
        lines.append(
            f"| {_link(name, here)}{default} | {_cell(preset.description)} "
            f"*{_cell(preset.version)}* |"
        )
    return "\n".join(lines)


def render_preset(name: str, here: str) -> str:
    """One preset's page body: its choices, the defaults it keeps, its metrics, its limits."""
    _, presets, _ = _library()
    preset = presets.get(name)
    made, sources = preset.choices(), preset.sources()
    lines = [f"**Version:** {preset.version}.", ""]
    for choice, value in made.items():
        lines += [
            f'`{choice}="{value}"`',
            f":   {_sentence(_meaning(choice, value))}",
            "",
            f"    *Source:* {sources[choice]}",
            "",
        ]
    functions = [f for f in preset_functions() if applies(name, f)]
    others = [f for f in preset_functions() if f not in functions]
    open_choices = [choice for f in functions for choice in choices_of(f) if choice not in made]
    open_choices = list(dict.fromkeys(open_choices))
    lines.append("")
    if open_choices:
        kept = ", ".join(f'`{choice}="{_default(choice)}"`' for choice in open_choices)
        lines += [
            f"**Left to the default** ({presets.DEFAULT}'s, not verified for this tool): {kept}.",
            "",
        ]
    used = _and([f'`{f}(..., preset="{name}")`' for f in functions])
    lines.append(f"**Applies to:** {used}.")
    if others:
        refused = _and([f"`{f}`" for f in others])
        lines.append(f"It defines nothing for {refused}, which refuse it (an error).")
    lines += ["", f"**Headline:** {preset.headline or 'not verified'}."]
    if preset.not_modelled:
        lines += ["", "**Not modelled:**", ""]
        lines += [f"- {item}" for item in preset.not_modelled]
    return "\n".join(lines)


def render_family(prefix: str, here: str) -> str:
    """The presets whose names start with ``prefix``, one row each."""
    _, presets, _ = _library()
    family = [presets.get(name) for name in presets.names() if name.startswith(prefix)]
    if not family:
        msg = f"no preset name starts with {prefix!r}"
        raise ValueError(msg)
    lines = ["| preset | choice | what it does |", "| --- | --- | --- |"]
    for preset in family:
        lines += [
            f'| `{preset.name}` | `{choice}="{value}"` | {_cell(preset.description)} |'
            for choice, value in preset.choices().items()
        ]
    sources = dict.fromkeys(s for preset in family for s in preset.sources().values())
    lines += ["", *(f"**Source:** {source}." for source in sources)]
    functions = sorted({f for p in family for f in preset_functions() if applies(p.name, f)})
    used = _and([f"`{f}`" for f in functions])
    lines += ["", f"**Applies to:** {used}; every other metric refuses these presets."]
    return "\n".join(lines)


def render_variants(function: str, wanted: tuple[str, ...], here: str) -> str:
    """The variants table of a metric function's choices: values, presets, default."""
    _, presets, _ = _library()
    taken = choices_of(function)
    if not taken:
        msg = f"{function} takes no definition choice"
        raise ValueError(msg)
    for choice in wanted:
        if choice not in taken:
            msg = f"{function} takes no choice {choice!r}; it takes {', '.join(taken)}"
            raise ValueError(msg)
    shown = wanted or taken
    usable = [name for name in presets.names() if applies(name, function)]
    lines: list[str] = []
    for choice in shown:
        default = _default(choice)
        lines += [
            f'`{choice}` (default `"{default}"`):',
            "",
            "| value | what it does | picked by |",
            "| --- | --- | --- |",
        ]
        for value in presets.CHOICES[choice]:
            pickers = [n for n in usable if presets.get(n).choices().get(choice) == value]
            cells = [_link(n, here) for n in pickers]
            if value == default:
                keeping = [n for n in usable if choice not in presets.get(n).choices()]
                cells.append("no preset (the default)")
                cells += [f"{_link(n, here)} (left open)" for n in keeping]
            picked = ", ".join(cells) or "no preset: the keyword only"
            lines.append(f'| `"{value}"` | {_cell(_meaning(choice, value))} | {picked} |')
        lines.append("")
    refused = _grouped([name for name in presets.names() if name not in usable], here)
    lines.append(
        f"`{function}(..., preset=NAME)` takes these values from the preset; an explicit "
        "keyword beats it."
    )
    if refused:
        lines.append(f"It refuses {_and(refused)}, which define nothing for it.")
    return "\n".join(lines)


def _grouped(names: list[str], here: str) -> list[str]:
    """Links to presets, a family whose every member is listed as one ``icmi-*`` link."""
    _, presets, _ = _library()
    out: list[str] = []
    for name in names:
        prefix = next((p for p in FAMILIES if name.startswith(p)), None)
        members = [n for n in presets.names() if prefix and n.startswith(prefix)]
        if prefix is None or not set(members) <= set(names):
            out.append(_link(name, here))
        elif name == members[0]:
            target = posixpath.relpath(page_of(name), posixpath.dirname(here) or ".")
            out.append(f"[{prefix}*]({target})")
    return out


def render(kind: str, args: tuple[str, ...], here: str) -> str:
    """The Markdown a marker stands for, on the page ``here`` (relative to ``docs/``)."""
    renderers: dict[str, Callable[[], str]] = {
        "presets": lambda: render_presets(here),
        "preset": lambda: render_preset(args[0], here),
        "preset-family": lambda: render_family(args[0], here),
        "variants": lambda: render_variants(args[0], args[1:], here),
    }
    wanted = {"presets": 0, "preset": 1, "preset-family": 1}.get(kind)
    if (wanted is not None and len(args) != wanted) or (kind == "variants" and not args):
        msg = f"<!-- {kind} {' '.join(args)} -->: wrong number of arguments"
        raise ValueError(msg)
    return renderers[kind]()


def expand(markdown: str, here: str) -> str:
    """The page with each marker replaced by its table."""

    def replace(match: re.Match[str]) -> str:
        return render(match.group("kind"), tuple(match.group("args").split()), here)

    return MARKER.sub(replace, markdown)


def on_page_markdown(markdown: str, *, page: Any, **kwargs: Any) -> str:
    """Write the preset and variants tables the page asks for."""
    return expand(markdown, page.file.src_uri)
