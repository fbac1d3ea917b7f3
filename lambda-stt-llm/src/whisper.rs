//! Offline speech-to-text with whisper.cpp (whisper-rs).
