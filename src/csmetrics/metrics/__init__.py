"""One module per KPI family; each builds on `csmetrics.core` only."""
