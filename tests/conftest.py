"""Hypothesis settings profiles for the csmetrics tests.

``dev`` (default) keeps the local run quick; ``ci`` is derandomized so a CI
failure reproduces, and runs more examples. Choose one with the environment
variable ``HYPOTHESIS_PROFILE``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Strategies draw whole lists of records per example; generation is the slow
# part, not the metric, so the too_slow check only adds noise here.
_SUPPRESSED = [HealthCheck.too_slow]

settings.register_profile("dev", max_examples=50, deadline=None, suppress_health_check=_SUPPRESSED)
settings.register_profile(
    "ci",
    max_examples=100,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=_SUPPRESSED,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
