"""Safety: safeguarding signals, deficit language and reframes, and personal data."""
