"""Analyses of metric results: compare and target, trends, guardrails, drivers."""
