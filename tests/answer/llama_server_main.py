"""llama-cpp-python's server with ggml's extra CPU buffer types turned off (`use_extra_bufts`).

Those (AMX tiles, repacked weights) crash the first completion with a segmentation fault on this machine's
processor inside its sandbox, and the server has no option for them; plain CPU buffers answer the same."""

from __future__ import annotations

import sys

import llama_cpp
import llama_cpp.llama as _llama

_defaults = llama_cpp.llama_model_default_params


def _plain_buffers():
    params = _defaults()
    params.use_extra_bufts = False
    return params


_llama.llama_cpp.llama_model_default_params = _plain_buffers

if __name__ == "__main__":
    from llama_cpp.server.__main__ import main

    sys.exit(main())
