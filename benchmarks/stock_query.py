"""One query through the stock LangChain pipeline in a fresh process (for cold-start timing).

    python benchmarks/stock_query.py PERSIST_DIR "munro 2011"

What a user who copied the tutorial runs: sentence-transformers MiniLM on torch, a persisted
langchain_chroma.Chroma, similarity_search(k=5). Prints the first result's text.
"""

from __future__ import annotations

import sys

from common import MODEL


def main(argv: list[str]) -> int:
    persist, query = argv
    from common import langchain_embeddings
    from langchain_chroma import Chroma

    from assistant.index.embeddings import SentenceTransformerEmbedder

    store = Chroma(persist_directory=persist, embedding_function=langchain_embeddings(SentenceTransformerEmbedder(MODEL)))
    hits = store.similarity_search(query, k=5)
    print(hits[0].page_content[:200] if hits else "(no results)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
