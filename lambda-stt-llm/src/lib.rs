//! The AWS side of Balto: the DynamoDB store, the `stt-llm` Lambda (a speech segment from the
//! Worker is stored, transcribed, advised on and answered through the core segment job) and the
//! `admin-api` Lambda (the admin router over DynamoDB). The parts they are built from live in the
//! crates beside this one: `balto-providers` (STT and LLM clients, resilience, the screened
//! advisor chains), `balto-advisor` (normalisation, red-flag screen, rules advisor, catalog,
//! evaluation grid) and `balto-admin-api` (the admin router).

pub mod admin_lambda;
pub mod dynamo;
pub mod lambda_main;
pub mod relay_handler;
