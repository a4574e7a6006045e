"""Citation checking: claims, quotations, mismatches and the verdict for each claim."""
