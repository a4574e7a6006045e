"""Answers: extractive by default, optionally written by an LLM and verified."""
