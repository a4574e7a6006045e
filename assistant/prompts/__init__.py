"""Conversation prompts: the prompt library, details of the situation, and generation."""
