"""MkDocs hook: draw the documentation's figures and sample report at build time.

The plots guide shows what each plot function of `csmetrics.report.plots`
draws on the sample data shipped with csmetrics, the tutorial shows the trend
its "Your own export" examples draw, and the home page links the HTML report
of the sample data (``csmetrics report --sample --format html``). Both
are made here, on every build, from the source tree being documented: no
image is committed, and a change to a plot shows in the next build.

The files are added to the site as generated files, so pages link to them
like to any other file (``../figures/trend.png``) and ``mkdocs build
--strict`` checks those links. matplotlib is needed (the ``docs`` extra
brings it); without it the build stops with an error saying so.
"""

from __future__ import annotations

import contextlib
import doctest
import io
import os
import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent

FIGURES = "figures"
REPORT = "sample-report.html"
DPI = 150


def _matplotlib() -> Any:
    try:
        import matplotlib  # noqa: PLC0415 (only the docs build needs it)
    except ImportError as err:
        msg = (
            "docs_hooks/figures.py draws the figures of the plots guide with matplotlib, "
            "which is not installed: pip install -e '.[docs]'"
        )
        raise PluginError(msg) from err
    matplotlib.use("Agg")
    return matplotlib


def _png(ax: Any) -> bytes:
    """The PNG of the figure an Axes was drawn on, tight around its content."""
    buffer = io.BytesIO()
    # No "Software" entry: the same figure gives the same bytes on any matplotlib.
    metadata = {"Software": None}
    ax.figure.savefig(
        buffer, format="png", dpi=DPI, bbox_inches="tight", backend="agg", metadata=metadata
    )
    return buffer.getvalue()


def _figures() -> dict[str, Callable[[], Any]]:
    """Each figure's file name and the call that draws it (an Axes)."""
    import csmetrics  # noqa: PLC0415 (after the source tree is on the path)
    from csmetrics.adapters.datasets import sample  # noqa: PLC0415
    from csmetrics.report import plots  # noqa: PLC0415 (imports matplotlib)

    if not Path(csmetrics.__file__).resolve().is_relative_to(ROOT / "src"):
        msg = f"the figures would be drawn by {csmetrics.__file__}, not by {ROOT / 'src'}"
        raise PluginError(msg)
    data = sample()

    def durations_log() -> Any:
        ax = plots.plot_durations(csmetrics.resolution_time(data.interactions))
        ax.set_xscale("log")
        return ax

    return {
        "own-export-trend.png": _own_export_trend,
        "trend.png": lambda: plots.plot_trend(
            csmetrics.trend(data.interactions, csmetrics.resolution_rate, every="week"),
            target=0.9,
        ),
        "pareto.png": lambda: plots.plot_pareto(csmetrics.pareto(data.interactions)),
        "funnel.png": lambda: plots.plot_funnel(csmetrics.complaint_rate(data.interactions)),
        "service-level.png": lambda: plots.plot_service_level(data.interactions),
        "durations.png": lambda: plots.plot_durations(csmetrics.resolution_time(data.interactions)),
        "durations-log.png": durations_log,
    }


_PYCON = re.compile(r"^```pycon[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _own_export_trend() -> Any:
    """The trend plot of the tutorial's "Your own export", drawn by the page's own examples.

    The page's ```pycon examples run in order in one namespace, as
    ``tests/test_docs.py`` runs them, and the figure is the ``ax`` they leave:
    the picture shows what the code above it draws, on the export the page
    writes. The examples move to a scratch folder; the build's working
    directory is restored after them.
    """
    text = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    parser = doctest.DocTestParser()
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    cwd = Path.cwd()
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            for body in _PYCON.findall(text):
                for example in parser.get_examples(body):
                    code = compile(example.source, "docs/tutorial.md", "single")
                    try:
                        exec(code, namespace)  # the page's own examples, as the tests run them
                    except Exception:
                        if example.exc_msg is None:  # an example meant to fail may fail
                            raise
    finally:
        os.chdir(cwd)
    if "ax" not in namespace:
        msg = "docs/tutorial.md no longer draws a plot into `ax` for its own-export figure"
        raise PluginError(msg)
    return namespace["ax"]


def _sample_report() -> str:
    """The HTML report of the sample data, as ``csmetrics report --sample --format html``."""
    import csmetrics  # noqa: PLC0415
    from csmetrics.adapters.datasets import sample  # noqa: PLC0415

    data = sample()
    title = (
        f"KPI report: {len(data.interactions)} contacts, {len(data.surveys)} survey answers; "
        "sample data"
    )
    report = csmetrics.build_report(data.interactions, data.surveys, title=title, charts=True)
    if not report.charts:
        msg = "the sample report has no charts: is matplotlib importable?"
        raise PluginError(msg)
    return csmetrics.render(report, format="html")


def on_config(config: Any) -> None:
    """Import csmetrics from the source tree being documented, not an installed one."""
    src = str(ROOT / "src")
    if src not in sys.path:
        sys.path.insert(0, src)


def on_files(files: Files, *, config: Any) -> Files:
    """Add the figures and the sample report to the site's files."""
    _matplotlib()
    generated: dict[str, str | bytes] = {}
    with warnings.catch_warnings():
        # Weeks still pending are gaps in a plot, not news for the build log.
        from csmetrics import UndefinedMetricWarning  # noqa: PLC0415

        warnings.simplefilter("ignore", UndefinedMetricWarning)
        for name, draw in _figures().items():
            generated[f"{FIGURES}/{name}"] = _png(draw())
        generated[REPORT] = _sample_report()
    for uri, content in generated.items():
        files.append(File.generated(config, uri, content=content))
    return files
