"""Evaluation: eval sets, metrics and feedback export."""
