"""Search: hybrid retrieval over the index and the reading of a query before it is searched."""
