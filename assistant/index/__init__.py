"""The index: Chroma passage vectors, BM25, sentence and word vectors, and the embedders."""
