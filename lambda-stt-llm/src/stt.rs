//! Speech-to-text HTTP clients (ElevenLabs Scribe, AssemblyAI).
