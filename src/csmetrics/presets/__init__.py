"""Vendor presets: named, versioned sets of definition choices, each with its source.

``csmetrics.ticket_metrics(tickets, preset="dbt_zendesk")`` measures tickets
by the rules of Fivetran's dbt_zendesk package; ``preset="zendesk"`` (the
default rules), ``"freshdesk"`` and ``"intercom"`` by those vendors'
published definitions, and the ``"icmi-*"`` presets name `service_level`'s
formulas. An explicit keyword beats the preset, and every result records
the preset and the choices it used, so results of different definitions
never merge.

>>> from csmetrics import presets
>>> presets.names()[:4]
('zendesk', 'dbt_zendesk', 'freshdesk', 'intercom')
>>> presets.get("dbt_zendesk").choices()["untouched"]
'multi'
>>> presets.get("icmi-answered")
Preset('icmi-answered', version='ICMI Queue Tips, 2002', formula='answered')
"""

from csmetrics.metrics.presets import CHOICES, DEFAULT, Choice, Preset, get, names
from csmetrics.presets import dbt_zendesk
from csmetrics.presets.difference import (
    CONTACT_METRICS,
    EXPLAIN_FIELDS,
    FIELD_CHOICES,
    ORDER,
    RULES,
    Explanation,
    explain,
)

__all__ = [
    "CHOICES",
    "CONTACT_METRICS",
    "DEFAULT",
    "EXPLAIN_FIELDS",
    "FIELD_CHOICES",
    "ORDER",
    "RULES",
    "Choice",
    "Explanation",
    "Preset",
    "dbt_zendesk",
    "explain",
    "get",
    "names",
]
