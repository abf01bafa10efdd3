"""csmetrics: exact, documented, fast customer-service metric definitions.

Every public name is re-exported here; everything else is private.
"""

from csmetrics.analysis import Comparison, TargetCheck, compare, target
from csmetrics.calendar import BusinessCalendar
from csmetrics.errors import CsmetricsWarning, InvalidDataError, UndefinedMetricWarning
from csmetrics.io import read_interactions_csv, read_surveys_csv
from csmetrics.model import (
    AGENT_STATES,
    AUTHORS,
    SURVEY_KINDS,
    AgentTime,
    Interaction,
    Message,
    Outage,
    Sale,
    Survey,
    Window,
)
from csmetrics.report import KPIRow, format_markdown, format_text, kpi_report
from csmetrics.resolution import fcr, resolution_rate
from csmetrics.results import (
    CES,
    CSAT,
    FCR,
    NPS,
    AbandonmentRate,
    Breakdown,
    Durations,
    HandleTime,
    Mean,
    Rate,
    ReplyTimes,
    Result,
    ServiceLevel,
    TimeMean,
)
from csmetrics.service_level import abandonment_rate, asa, blocked_rate, service_level
from csmetrics.sla import Breach, SLAAttainment, SLAPolicy, SLARule, SLATarget, sla_attainment
from csmetrics.staffing import (
    Staffing,
    agents_needed,
    erlang_b,
    erlang_c,
    erlang_c_asa,
    erlang_c_service_level,
)
from csmetrics.stats import ConfidenceInterval
from csmetrics.surveys import ces, csat, nps, survey_fcr
from csmetrics.table import AgentTimes, Interactions, Messages, Sales, Surveys
from csmetrics.timing import (
    contact_length,
    first_response_time,
    handle_time,
    reply_time,
    resolution_time,
)

__all__ = [
    "AGENT_STATES",
    "AUTHORS",
    "CES",
    "CSAT",
    "FCR",
    "NPS",
    "SURVEY_KINDS",
    "AbandonmentRate",
    "AgentTime",
    "AgentTimes",
    "Breach",
    "Breakdown",
    "BusinessCalendar",
    "Comparison",
    "ConfidenceInterval",
    "CsmetricsWarning",
    "Durations",
    "HandleTime",
    "Interaction",
    "Interactions",
    "InvalidDataError",
    "KPIRow",
    "Mean",
    "Message",
    "Messages",
    "Outage",
    "Rate",
    "ReplyTimes",
    "Result",
    "SLAAttainment",
    "SLAPolicy",
    "SLARule",
    "SLATarget",
    "Sale",
    "Sales",
    "ServiceLevel",
    "Staffing",
    "Survey",
    "Surveys",
    "TargetCheck",
    "TimeMean",
    "UndefinedMetricWarning",
    "Window",
    "abandonment_rate",
    "agents_needed",
    "asa",
    "blocked_rate",
    "ces",
    "compare",
    "contact_length",
    "csat",
    "erlang_b",
    "erlang_c",
    "erlang_c_asa",
    "erlang_c_service_level",
    "fcr",
    "first_response_time",
    "format_markdown",
    "format_text",
    "handle_time",
    "kpi_report",
    "nps",
    "read_interactions_csv",
    "read_surveys_csv",
    "reply_time",
    "resolution_rate",
    "resolution_time",
    "service_level",
    "sla_attainment",
    "survey_fcr",
    "target",
]
