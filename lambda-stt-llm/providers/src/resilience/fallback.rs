//! Fallback chains: [`FallbackTranscriber`] and [`FallbackAdvisor`] over one generic driver that
//! retries, hedges stalled providers and records every attempt.

use super::{Attempt, AttemptOutcome, ChainPolicy, ProviderError, RetryPolicy, duration_ms};
use async_trait::async_trait;
use balto_core::advice::{Advice, Conversation};
use balto_core::advisor::{Advisor, AdvisorError};
use balto_core::transcriber::{SttError, Transcriber, Transcription};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

type CallFuture<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;

/// One provider of a chain: its name, its call timeout and how to call it (again).
struct Leg<T, E> {
    name: String,
    timeout: Duration,
    call: Box<dyn Fn() -> CallFuture<T, E> + Send + Sync>,
}

/// The attempts of one chain run, shared by the provider tasks.
struct Recorder {
    chain_start: Instant,
    entries: Vec<(Instant, Attempt, bool)>,
    closed: bool,
}

impl Recorder {
    fn start(&mut self, provider: &str, attempt: u32) -> usize {
        let now = Instant::now();
        self.entries.push((
            now,
            Attempt {
                provider: provider.to_string(),
                attempt,
                started_ms: duration_ms(now.duration_since(self.chain_start)),
                latency_ms: 0,
                outcome: AttemptOutcome::Cancelled,
                error: None,
            },
            false,
        ));
        self.entries.len() - 1
    }

    fn finish<T, E: ProviderError>(&mut self, slot: usize, result: &Result<T, E>) {
        if self.closed {
            return;
        }
        if let Some((started, attempt, done)) = self.entries.get_mut(slot) {
            attempt.latency_ms = duration_ms(started.elapsed());
            match result {
                Ok(_) => attempt.outcome = AttemptOutcome::Ok,
                Err(e) => {
                    attempt.outcome = e.outcome();
                    attempt.error = Some(e.to_string());
                }
            }
            *done = true;
        }
    }

    /// Closes the record: calls still running are reported as cancelled.
    fn close(&mut self) -> Vec<Attempt> {
        self.closed = true;
        self.entries
            .drain(..)
            .map(|(started, mut attempt, done)| {
                if !done {
                    attempt.latency_ms = duration_ms(started.elapsed());
                    attempt.outcome = AttemptOutcome::Cancelled;
                }
                attempt
            })
            .collect()
    }
}

fn lock(rec: &Mutex<Recorder>) -> MutexGuard<'_, Recorder> {
    rec.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs the chain under `policy` and returns its result with every attempt made.
async fn run_chain<T, E>(legs: Vec<Leg<T, E>>, policy: &ChainPolicy) -> (Result<T, E>, Vec<Attempt>)
where
    T: Send + 'static,
    E: ProviderError,
{
    let rec = Arc::new(Mutex::new(Recorder {
        chain_start: Instant::now(),
        entries: Vec::new(),
        closed: false,
    }));
    let driven = drive(legs, policy, Arc::clone(&rec));
    let result = match policy.deadline {
        Some(deadline) => super::with_timeout(deadline, driven).await,
        None => driven.await,
    };
    let attempts = lock(&rec).close();
    (result, attempts)
}

async fn drive<T, E>(
    legs: Vec<Leg<T, E>>,
    policy: &ChainPolicy,
    rec: Arc<Mutex<Recorder>>,
) -> Result<T, E>
where
    T: Send + 'static,
    E: ProviderError,
{
    let mut waiting = legs.into_iter();
    // Dropping the set (on return, or when the deadline drops this future) aborts the losers.
    let mut running: JoinSet<Result<T, E>> = JoinSet::new();
    let mut stall_at: Option<tokio::time::Instant> = None;
    let mut last_error: Option<E> = None;

    let start_next = |running: &mut JoinSet<Result<T, E>>,
                      waiting: &mut std::vec::IntoIter<Leg<T, E>>|
     -> Option<tokio::time::Instant> {
        let leg = waiting.next()?;
        tracing::debug!(provider = %leg.name, "starting provider");
        running.spawn(run_leg(leg, policy.retry.clone(), Arc::clone(&rec)));
        match (policy.stall_after, waiting.len()) {
            (Some(stall), 1..) => Some(tokio::time::Instant::now() + stall),
            _ => None,
        }
    };

    loop {
        if running.is_empty() {
            if waiting.len() == 0 {
                break;
            }
            stall_at = start_next(&mut running, &mut waiting);
            continue;
        }
        let stalled = async {
            match stall_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            joined = running.join_next() => match joined {
                Some(Ok(Ok(value))) => return Ok(value),
                Some(Ok(Err(error))) => last_error = Some(error),
                Some(Err(join_error)) => {
                    last_error = Some(E::internal(format!("provider task failed: {join_error}")));
                }
                None => {}
            },
            () = stalled => {
                tracing::info!("provider stalled; starting the next one alongside it");
                stall_at = start_next(&mut running, &mut waiting);
            }
        }
    }
    Err(last_error.unwrap_or_else(|| E::internal("no provider configured".to_string())))
}

/// Calls one provider, retrying retryable failures under `retry`.
async fn run_leg<T, E: ProviderError>(
    leg: Leg<T, E>,
    retry: RetryPolicy,
    rec: Arc<Mutex<Recorder>>,
) -> Result<T, E> {
    let mut attempt = 1;
    loop {
        let slot = lock(&rec).start(&leg.name, attempt);
        let result = super::with_timeout(leg.timeout, (leg.call)()).await;
        lock(&rec).finish(slot, &result);
        let error = match result {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        if !error.is_retryable() || attempt >= retry.max_attempts {
            tracing::warn!(provider = %leg.name, attempt, %error, "provider failed");
            return Err(error);
        }
        let Some(delay) = retry.delay_before_retry(attempt, error.retry_after()) else {
            tracing::warn!(provider = %leg.name, %error, "provider asks to wait too long; giving up on it");
            return Err(error);
        };
        tracing::info!(provider = %leg.name, attempt, %error, delay_ms = duration_ms(delay), "retrying provider");
        tokio::time::sleep(delay).await;
        attempt += 1;
    }
}

fn joined_name<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.collect::<Vec<_>>().join(">")
}

fn log_attempts(kind: &str, attempts: &[Attempt]) {
    for a in attempts {
        tracing::debug!(
            chain = kind,
            provider = %a.provider,
            attempt = a.attempt,
            started_ms = a.started_ms,
            latency_ms = a.latency_ms,
            outcome = ?a.outcome,
            error = a.error.as_deref().unwrap_or(""),
            "provider attempt"
        );
    }
}

/// A [`Transcriber`] over several engines (e.g. ElevenLabs → AssemblyAI → Whisper): retries
/// each, moves on after a non-retryable failure or exhausted retries, and hedges a stalled engine
/// by starting the next one alongside it. Its name is the engines' names joined by `>`.
pub struct FallbackTranscriber {
    name: String,
    providers: Vec<(Arc<dyn Transcriber>, Option<Duration>)>,
    policy: ChainPolicy,
}

impl FallbackTranscriber {
    /// A chain over `providers`, first preferred.
    pub fn new(providers: Vec<Arc<dyn Transcriber>>, policy: ChainPolicy) -> FallbackTranscriber {
        FallbackTranscriber {
            name: joined_name(providers.iter().map(|p| p.name())),
            providers: providers.into_iter().map(|p| (p, None)).collect(),
            policy,
        }
    }

    /// Overrides the call timeout of the provider named `provider` (e.g. a slow offline engine).
    pub fn with_call_timeout(mut self, provider: &str, timeout: Duration) -> FallbackTranscriber {
        for (p, t) in &mut self.providers {
            if p.name() == provider {
                *t = Some(timeout);
            }
        }
        self
    }

    /// The engines' names, first preferred.
    pub fn provider_names(&self) -> Vec<&str> {
        self.providers.iter().map(|(p, _)| p.name()).collect()
    }

    pub fn policy(&self) -> &ChainPolicy {
        &self.policy
    }

    /// Transcribes and reports every provider call made.
    pub async fn transcribe_with_report(
        &self,
        pcm: &[i16],
    ) -> (Result<Transcription, SttError>, Vec<Attempt>) {
        let pcm: Arc<[i16]> = Arc::from(pcm);
        let legs = self
            .providers
            .iter()
            .map(|(provider, timeout)| {
                let provider = Arc::clone(provider);
                let pcm = Arc::clone(&pcm);
                Leg {
                    name: provider.name().to_string(),
                    timeout: timeout.unwrap_or(self.policy.call_timeout),
                    call: Box::new(move || -> CallFuture<Transcription, SttError> {
                        let provider = Arc::clone(&provider);
                        let pcm = Arc::clone(&pcm);
                        Box::pin(async move { provider.transcribe(&pcm).await })
                    }),
                }
            })
            .collect();
        let (result, attempts) = run_chain(legs, &self.policy).await;
        log_attempts("stt", &attempts);
        (result, attempts)
    }
}

#[async_trait]
impl Transcriber for FallbackTranscriber {
    fn name(&self) -> &str {
        &self.name
    }

    async fn transcribe(&self, pcm: &[i16]) -> Result<Transcription, SttError> {
        self.transcribe_with_report(pcm).await.0
    }

    async fn transcribe_reporting(
        &self,
        pcm: &[i16],
    ) -> (Result<Transcription, SttError>, Vec<Attempt>) {
        self.transcribe_with_report(pcm).await
    }
}

/// An [`Advisor`] over several advisors (e.g. xAI → OpenAI → rules): retries each and moves on
/// after a non-retryable failure (refusal, invalid answer, 4xx) or exhausted retries.
pub struct FallbackAdvisor {
    name: String,
    advisors: Vec<Arc<dyn Advisor>>,
    policy: ChainPolicy,
}

impl FallbackAdvisor {
    /// A chain over `advisors`, first preferred. Advisors are usually not hedged
    /// (`stall_after: None`): the offline rules answer at once and would always win the race.
    pub fn new(advisors: Vec<Arc<dyn Advisor>>, policy: ChainPolicy) -> FallbackAdvisor {
        FallbackAdvisor {
            name: joined_name(advisors.iter().map(|a| a.name())),
            advisors,
            policy,
        }
    }

    pub fn advisor_names(&self) -> Vec<&str> {
        self.advisors.iter().map(|a| a.name()).collect()
    }

    pub fn policy(&self) -> &ChainPolicy {
        &self.policy
    }

    /// Advises and reports every advisor call made.
    pub async fn advise_with_report(
        &self,
        conversation: &Conversation,
    ) -> (Result<Advice, AdvisorError>, Vec<Attempt>) {
        let conversation = Arc::new(conversation.clone());
        let legs = self
            .advisors
            .iter()
            .map(|advisor| {
                let advisor = Arc::clone(advisor);
                let conversation = Arc::clone(&conversation);
                Leg {
                    name: advisor.name().to_string(),
                    timeout: self.policy.call_timeout,
                    call: Box::new(move || -> CallFuture<Advice, AdvisorError> {
                        let advisor = Arc::clone(&advisor);
                        let conversation = Arc::clone(&conversation);
                        Box::pin(async move { advisor.advise(&conversation).await })
                    }),
                }
            })
            .collect();
        let (result, attempts) = run_chain(legs, &self.policy).await;
        log_attempts("advisor", &attempts);
        (result, attempts)
    }
}

#[async_trait]
impl Advisor for FallbackAdvisor {
    fn name(&self) -> &str {
        &self.name
    }

    async fn advise(&self, conversation: &Conversation) -> Result<Advice, AdvisorError> {
        self.advise_with_report(conversation).await.0
    }

    async fn advise_reporting(
        &self,
        conversation: &Conversation,
    ) -> (Result<Advice, AdvisorError>, Vec<Attempt>) {
        self.advise_with_report(conversation).await
    }
}
