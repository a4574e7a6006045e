"""The optional LLM client (OpenAI-compatible server or Ollama, through LangChain), shared by answers and prompts."""

from __future__ import annotations

import functools

from assistant.errors import LLMError
from assistant.settings import Settings


def chat_model(settings: Settings):
    """The configured LangChain chat model (cached per settings)."""
    return _chat_model(settings.llm_provider, settings.llm_model, settings.llm_base_url,
                       settings.llm_api_key.get_secret_value(), min(settings.llm_timeout, settings.llm_answer_seconds),
                       settings.llm_max_tokens)


@functools.lru_cache(maxsize=4)
def _chat_model(provider: str, model: str, base_url: str, api_key: str, timeout: float, max_tokens: int = 400):
    if provider not in ("openai", "ollama"):
        raise LLMError(f"ASSISTANT_LLM_PROVIDER must be 'openai' (any OpenAI-compatible server) or 'ollama', "
                       f"not '{provider}'. Unset it to use the offline answerer.")
    if not model:
        raise LLMError("Set ASSISTANT_LLM_MODEL to the chat model's name (e.g. llama3.1 for Ollama).")
    try:
        from langchain.chat_models import init_chat_model
    except ImportError as e:
        raise LLMError("The LLM backend needs the optional packages: pip install -e '.[llm]'.") from e
    kwargs: dict = {"temperature": 0}
    if provider == "openai":
        # LangChain sends the cap as max_completion_tokens, which llama-cpp-python's server (and other local
        # OpenAI-compatible servers) ignore: the old name goes in the request body too, or a small model writes
        # thousands of tokens.
        kwargs.update(api_key=api_key or "not-needed", timeout=timeout, max_retries=1, max_tokens=max_tokens,
                      extra_body={"max_tokens": max_tokens})
        if base_url:
            kwargs["base_url"] = base_url
    else:  # Ollama's name for the output cap
        kwargs.update(num_predict=max_tokens, client_kwargs={"timeout": timeout})
        if base_url:
            kwargs["base_url"] = base_url
    try:
        return init_chat_model(model, model_provider=provider, **kwargs)
    except ImportError as e:
        raise LLMError("The LLM backend needs the optional packages: pip install -e '.[llm]'.") from e
