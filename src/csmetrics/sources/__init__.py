"""Readers for the exports helpdesks give: one module per vendor.

``csmetrics.sources.zendesk.read_tables`` reads the Zendesk warehouse tables
(the schema the common Zendesk-to-warehouse connector writes and dbt_zendesk
reads) into a `csmetrics.Tickets` table, and ``read_api`` the JSON of
Zendesk's API; ``csmetrics.sources.freshdesk`` reads Freshdesk's API JSON
and ticket CSV export, ``csmetrics.sources.intercom`` Intercom's
conversations. The layer sits above
``csmetrics.adapters`` (whose file-reading helpers it uses) and below the
metrics, which never need to know where tickets came from.
"""
