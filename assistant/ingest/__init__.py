"""Ingest: files in any supported format become cleaned documents, then passages."""
