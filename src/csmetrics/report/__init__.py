"""The KPI report: building it from data, rendering it, and its plots."""
