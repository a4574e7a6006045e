"""Strengths-based practice assistant: grounded answers, conversation prompts and citation checks."""

__version__ = "0.1.0"
