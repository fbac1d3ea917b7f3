//! OpenAI-compatible chat-completions client and the LLM advisor (xAI Grok / OpenAI).
