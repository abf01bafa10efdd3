"""csmetrics: exact, documented, fast customer-service metric definitions.

Every public name is re-exported here; everything else is private.
"""

from csmetrics.errors import CsmetricsWarning, InvalidDataError, UndefinedMetricWarning
from csmetrics.model import AUTHORS, SURVEY_KINDS, Interaction, Message, Survey, Window
from csmetrics.resolution import fcr, resolution_rate
from csmetrics.results import CES, CSAT, FCR, NPS, Breakdown, Mean, Rate, Result
from csmetrics.stats import ConfidenceInterval
from csmetrics.surveys import ces, csat, nps, survey_fcr
from csmetrics.table import Interactions, Messages, Surveys

__all__ = [
    "AUTHORS",
    "CES",
    "CSAT",
    "FCR",
    "NPS",
    "SURVEY_KINDS",
    "Breakdown",
    "ConfidenceInterval",
    "CsmetricsWarning",
    "Interaction",
    "Interactions",
    "InvalidDataError",
    "Mean",
    "Message",
    "Messages",
    "Rate",
    "Result",
    "Survey",
    "Surveys",
    "UndefinedMetricWarning",
    "Window",
    "ces",
    "csat",
    "fcr",
    "nps",
    "resolution_rate",
    "survey_fcr",
]
