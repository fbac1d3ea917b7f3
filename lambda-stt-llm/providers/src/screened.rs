//! [`ScreenedAdvisor`]: the red-flag screen in front of any advisor.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use balto_core::advice::{Advice, Conversation, Decision};
use balto_core::advisor::{Advisor, AdvisorError};
use balto_core::attempt::{Attempt, AttemptOutcome};

use crate::resilience::{ProviderError, duration_ms};
use balto_advisor::red_flags::{RedFlagScreen, SCREEN_NAME, ScreenPolicy, Screening, Verdict};

/// An [`Advisor`] that runs the red-flag screen first and answers with the intervention when it
/// fires; otherwise it is the inner advisor. Its name is the inner advisor's (the screen is a
/// step of every chain, not a provider); its attempts start with one `triagem` entry whenever
/// the screen decided.
///
/// The rules advisor screens too (it is also used alone, by tests and tools), so a window the
/// screen clears is screened once more if the chain falls back to the rules: about 0.1 ms.
/// With [`ScreenPolicy::ConsultAdvisor`], an overridden call is recorded with the outcome
/// `overridden`: the admin's per-provider figures count only `ok` as answered.
pub struct ScreenedAdvisor {
    inner: Arc<dyn Advisor>,
    screen: Arc<RedFlagScreen>,
    policy: ScreenPolicy,
}

impl ScreenedAdvisor {
    pub fn new(
        inner: Arc<dyn Advisor>,
        screen: Arc<RedFlagScreen>,
        policy: ScreenPolicy,
    ) -> ScreenedAdvisor {
        ScreenedAdvisor {
            inner,
            screen,
            policy,
        }
    }

    pub fn policy(&self) -> ScreenPolicy {
        self.policy
    }

    pub fn screen(&self) -> &RedFlagScreen {
        &self.screen
    }

    /// Advises and reports every call made, the screen's included.
    pub async fn advise_with_report(
        &self,
        conversation: &Conversation,
    ) -> (Result<Advice, AdvisorError>, Vec<Attempt>) {
        let started = Instant::now();
        let verdict = self.screen.verdict(conversation);
        let (Some(advice), Some(screening)) = (verdict.advice(), verdict.screening().cloned())
        else {
            return self.inner.advise_reporting(conversation).await;
        };
        tracing::info!(
            alerta = %screening.id,
            palavras = ?screening.palavras,
            already_sent = matches!(verdict, Verdict::AlreadySent(_)),
            "red flag"
        );
        let screen_attempt = Attempt {
            provider: SCREEN_NAME.to_owned(),
            attempt: 1,
            started_ms: 0,
            latency_ms: duration_ms(started.elapsed()),
            outcome: AttemptOutcome::Ok,
            error: None,
        };
        match self.policy {
            ScreenPolicy::SkipAdvisor => (Ok(advice), vec![screen_attempt]),
            ScreenPolicy::ConsultAdvisor => {
                let asked = Instant::now();
                let (answer, mut attempts) = self.inner.advise_reporting(conversation).await;
                if attempts.is_empty() {
                    // A single advisor reports nothing: record its one call here.
                    let (outcome, error) = match &answer {
                        Ok(_) => (AttemptOutcome::Ok, None),
                        Err(e) => (e.outcome(), Some(e.to_string())),
                    };
                    attempts.push(Attempt {
                        provider: self.inner.name().to_owned(),
                        attempt: 1,
                        started_ms: screen_attempt.latency_ms,
                        latency_ms: duration_ms(asked.elapsed()),
                        outcome,
                        error,
                    });
                }
                if let Ok(said) = &answer {
                    mark_overridden(&mut attempts, said, &screening);
                }
                let mut all = vec![screen_attempt];
                all.extend(attempts);
                (Ok(advice), all)
            }
        }
    }
}

/// Marks the attempt that answered as overridden when its answer was not the intervention.
fn mark_overridden(attempts: &mut [Attempt], said: &Advice, screening: &Screening) {
    if said.decision == Decision::Intervencao {
        return;
    }
    let Some(answering) = attempts
        .iter_mut()
        .rev()
        .find(|a| a.outcome == AttemptOutcome::Ok)
    else {
        return;
    };
    answering.outcome = AttemptOutcome::Overridden;
    answering.error = Some(format!(
        "substituída pela triagem (alerta {}): respondeu {}{}",
        screening.id,
        said.decision.as_str(),
        said.product
            .as_deref()
            .map(|p| format!(" \"{p}\""))
            .unwrap_or_default()
    ));
}

#[async_trait]
impl Advisor for ScreenedAdvisor {
    fn name(&self) -> &str {
        self.inner.name()
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
