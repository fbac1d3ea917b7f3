//! Accuracy and provider-comparison figures computed from the store's review and transcript
//! records: corpus WER per provider (normalized words, accents stripped) and suggestion
//! acceptance per category.

use balto_core::admin::{
    AccuracyReport, CategoryAcceptance, ComparisonReport, ProviderAccuracy, ProviderComparisonRow,
    percentile, ratio,
};
use balto_core::admin_store::{
    CallSample, ProviderTranscript, ReviewedSuggestion, ReviewedTranscript,
};
use balto_core::advice::Category;
use balto_core::records::SuggestionVerdict;
use balto_core::text::NormalizeOptions;
use balto_core::wer::wer;
use std::collections::{BTreeMap, BTreeSet, HashSet};

#[derive(Default)]
struct WerSum {
    segments: u64,
    words: u64,
    errors: u64,
}

impl WerSum {
    fn add(&mut self, reference: &str, hypothesis: &str) {
        let r = wer(reference, hypothesis, NormalizeOptions::default());
        self.segments += 1;
        self.words += r.reference_len as u64;
        self.errors += r.edits as u64;
    }
}

/// WER per provider and acceptance per category.
pub fn accuracy(
    transcripts: &[ReviewedTranscript],
    suggestions: &[ReviewedSuggestion],
) -> AccuracyReport {
    let mut by_provider: BTreeMap<&str, WerSum> = BTreeMap::new();
    let mut segments = HashSet::new();
    for t in transcripts {
        by_provider
            .entry(t.provider.as_str())
            .or_default()
            .add(&t.reference, &t.hypothesis);
        segments.insert(&t.segment_id);
    }
    let providers = by_provider
        .into_iter()
        .map(|(provider, s)| ProviderAccuracy {
            provider: provider.to_string(),
            reviewed_segments: s.segments,
            reference_words: s.words,
            word_errors: s.errors,
            wer: ratio(s.errors, s.words),
        })
        .collect();
    let mut by_category: BTreeMap<Option<Category>, CategoryAcceptance> = BTreeMap::new();
    for s in suggestions {
        let row = by_category
            .entry(s.category)
            .or_insert_with(|| CategoryAcceptance {
                category: s.category,
                reviewed: 0,
                right: 0,
                wrong: 0,
                harmful: 0,
                acceptance_rate: None,
            });
        row.reviewed += 1;
        match s.verdict {
            SuggestionVerdict::Certa => row.right += 1,
            SuggestionVerdict::Errada => row.wrong += 1,
            SuggestionVerdict::Perigosa => row.harmful += 1,
        }
    }
    let categories = by_category
        .into_values()
        .map(|mut c| {
            c.acceptance_rate = ratio(c.right, c.reviewed);
            c
        })
        .collect();
    AccuracyReport {
        providers,
        categories,
        reviewed_transcripts: segments.len() as u64,
        reviewed_suggestions: suggestions.len() as u64,
    }
}

/// STT providers side by side: volume, WER (all reviewed and on common segments), call
/// latency p50/p95 and failures, and cost per minute from `prices`.
pub fn comparison(
    transcripts: &[ProviderTranscript],
    reviewed: &[ReviewedTranscript],
    calls: &[CallSample],
    prices: &BTreeMap<String, f64>,
) -> ComparisonReport {
    let mut per: BTreeMap<&str, (BTreeSet<&str>, u64, Vec<u64>)> = BTreeMap::new();
    for t in transcripts {
        let e = per.entry(t.provider.as_str()).or_default();
        if e.0.insert(t.segment_id.as_str()) {
            e.1 += t.duration_ms;
        }
        e.2.push(t.latency_ms);
    }
    let common: BTreeSet<&str> = per
        .values()
        .map(|(segs, _, _)| segs.clone())
        .reduce(|a, b| a.intersection(&b).copied().collect())
        .unwrap_or_default();
    let mut call_stats: BTreeMap<&str, (Vec<u64>, u64)> = BTreeMap::new();
    for c in calls {
        let e = call_stats.entry(c.provider.as_str()).or_default();
        e.0.push(c.latency_ms);
        if !c.ok {
            e.1 += 1;
        }
    }
    let mut providers: BTreeSet<&str> = per.keys().copied().collect();
    providers.extend(call_stats.keys().copied());
    let rows = providers
        .into_iter()
        .map(|provider| {
            let (segs, audio_ms, transcript_latencies) = per
                .get(provider)
                .map(|(s, a, l)| (s.len() as u64, *a, l.clone()))
                .unwrap_or_default();
            let mut all = WerSum::default();
            let mut in_common = WerSum::default();
            for r in reviewed.iter().filter(|r| r.provider == provider) {
                all.add(&r.reference, &r.hypothesis);
                if common.contains(r.segment_id.as_str()) {
                    in_common.add(&r.reference, &r.hypothesis);
                }
            }
            let (mut latencies, failed) = call_stats
                .get(provider)
                .cloned()
                .unwrap_or((transcript_latencies, 0));
            latencies.sort_unstable();
            let audio_seconds = audio_ms as f64 / 1000.0;
            let cost = prices.get(provider).copied();
            ProviderComparisonRow {
                provider: provider.to_string(),
                segments: segs,
                audio_seconds,
                reviewed_segments: all.segments,
                wer: ratio(all.errors, all.words),
                wer_common: ratio(in_common.errors, in_common.words),
                latency_p50_ms: percentile(&latencies, 0.5),
                latency_p95_ms: percentile(&latencies, 0.95),
                calls: latencies.len() as u64,
                failed_calls: failed,
                cost_per_minute_usd: cost,
                estimated_cost_usd: cost.map(|c| audio_seconds / 60.0 * c),
            }
        })
        .collect();
    ComparisonReport {
        common_segments: common.len() as u64,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt(seg: &str, provider: &str, hyp: &str, reference: &str) -> ReviewedTranscript {
        ReviewedTranscript {
            segment_id: seg.into(),
            provider: provider.into(),
            hypothesis: hyp.into(),
            reference: reference.into(),
        }
    }

    #[test]
    fn corpus_wer_sums_edits_over_reference_words() {
        let report = accuracy(
            &[
                // 1 substitution over 4 words.
                rt("a", "x", "tenho dor de dente", "tenho dor de cabeça"),
                // 0 edits over 2 words.
                rt("b", "x", "bom dia", "Bom dia!"),
                // 2 deletions over 2 words.
                rt("b", "y", "", "bom dia"),
            ],
            &[
                ReviewedSuggestion {
                    category: Some(Category::DorFebre),
                    verdict: SuggestionVerdict::Certa,
                },
                ReviewedSuggestion {
                    category: Some(Category::DorFebre),
                    verdict: SuggestionVerdict::Perigosa,
                },
            ],
        );
        let x = &report.providers[0];
        assert_eq!(
            (x.provider.as_str(), x.word_errors, x.reference_words),
            ("x", 1, 6)
        );
        assert_eq!(x.wer, Some(1.0 / 6.0));
        assert_eq!(report.providers[1].wer, Some(1.0));
        assert_eq!(report.reviewed_transcripts, 2);
        let c = &report.categories[0];
        assert_eq!((c.reviewed, c.right, c.harmful), (2, 1, 1));
        assert_eq!(c.acceptance_rate, Some(0.5));
    }

    #[test]
    fn comparison_finds_common_segments_and_costs() {
        let t = |seg: &str, p: &str, lat| ProviderTranscript {
            segment_id: seg.into(),
            provider: p.into(),
            duration_ms: 60_000,
            latency_ms: lat,
        };
        let prices = BTreeMap::from([("x".to_string(), 0.01)]);
        let r = comparison(
            &[t("a", "x", 100), t("b", "x", 300), t("a", "y", 200)],
            &[],
            &[],
            &prices,
        );
        assert_eq!(r.common_segments, 1);
        let x = &r.rows[0];
        assert_eq!(
            (x.segments, x.latency_p50_ms, x.latency_p95_ms),
            (2, Some(100), Some(300))
        );
        assert_eq!(x.estimated_cost_usd, Some(0.02));
        assert_eq!(r.rows[1].cost_per_minute_usd, None);
    }
}
