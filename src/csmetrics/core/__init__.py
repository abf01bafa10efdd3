"""The core layer: value objects, validation, tables, engines and result bases.

Nothing here imports from `csmetrics.metrics`, `csmetrics.analysis`,
`csmetrics.report` or `csmetrics.adapters`; those layers build on this one.
"""
