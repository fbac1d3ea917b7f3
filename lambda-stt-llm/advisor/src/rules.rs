//! The offline rules advisor: Portuguese matching with negation, red flags and cautions.
//!
//! [`RulesAdvisor`] (name `regras`) decides on the recent conversation window without any
//! network: it reads each utterance with the shared normalisation ([`crate::spoken`]), runs the
//! red-flag screen first ([`crate::red_flags`]: red flags and prescription-only requests anywhere
//! in the window → [`Decision::Intervencao`]), finds symptom phrases per category while honouring
//! negation ("não tenho febre", "sem tosse", "nem dor"), and otherwise
//! picks a catalog product for the category the newest utterance points at, filtered by the
//! cautions the conversation reveals: age, pregnancy/breastfeeding, drug allergies, and
//! conditions or medicines that rule a product out (anticoagulants, high blood pressure,
//! suspected dengue…). It never pushes `last_product` again. Same input, same output.
//!
//! Invariant: never recommends a product that is not in the catalog, never recommends while a
//! red flag is in the window.

mod categories;
mod facts;
mod lexicon;

use std::sync::Arc;

use async_trait::async_trait;
use balto_core::advice::{Advice, Category, Confidence, Conversation, Decision};
use balto_core::advisor::{Advisor, AdvisorError};

use crate::catalog::{Catalog, Condition, PregnancyUse, Product, name_key};
use crate::red_flags::RedFlagScreen;
use crate::spoken::Utterance as Spoken;
use balto_core::text::{NormalizeOptions, normalize};
use facts::{Facts, Hit, Lexicon};

/// How many of the newest utterances the advisor reads by default.
pub const DEFAULT_WINDOW: usize = 6;

/// Recency weights: newest first.
const RECENCY: [f32; 6] = [1.0, 0.6, 0.45, 0.35, 0.3, 0.25];

/// The weakest wording that is a need on its own (weaker ones — "praia", "fralda", a bare
/// "dor" — only add to a stronger one).
const MIN_HIT_WEIGHT: f32 = 2.0;

/// Age assumed when a child is mentioned without an age (years).
const ASSUMED_CHILD_AGE: f64 = 2.0;
/// Age assumed when a baby is mentioned without an age (years).
const ASSUMED_BABY_AGE: f64 = 0.5;

/// A decision with why.
#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    pub advice: Advice,
    /// The red flag behind an intervention (its catalogue id).
    pub alerta: Option<String>,
    /// The words that decided, as said: the red flag's, or the complaint's.
    pub palavras: Vec<String>,
}

/// The offline rules advisor.
#[derive(Debug, Clone)]
pub struct RulesAdvisor {
    catalog: Arc<Catalog>,
    screen: Arc<RedFlagScreen>,
    lexicon: Lexicon,
    /// Normalized keywords per product, parallel to `catalog.products()`.
    keywords: Vec<Vec<String>>,
    /// Whether each product is a pediatric presentation (keywords or name say so).
    pediatric: Vec<bool>,
    window: usize,
}

impl RulesAdvisor {
    /// A rules advisor over `catalog` with the embedded red-flag screen, reading the last
    /// [`DEFAULT_WINDOW`] utterances.
    pub fn new(catalog: Arc<Catalog>) -> RulesAdvisor {
        RulesAdvisor::with_screen(catalog, Arc::new(RedFlagScreen::embedded()))
    }

    /// A rules advisor over `catalog` screening with `screen`.
    pub fn with_screen(catalog: Arc<Catalog>, screen: Arc<RedFlagScreen>) -> RulesAdvisor {
        let keywords = catalog
            .products()
            .iter()
            .map(|p| {
                p.palavras_chave
                    .iter()
                    .map(|k| crate::spoken::canonical_words(k).join(" "))
                    .filter(|k| !k.is_empty())
                    .collect()
            })
            .collect::<Vec<Vec<String>>>();
        let pediatric = catalog
            .products()
            .iter()
            .zip(&keywords)
            .map(|(p, kws)| {
                const MARKS: &[&str] = &["crianca", "bebe", "infantil", "pediatrico", "baby"];
                let name = normalize(&p.nome, NormalizeOptions::default());
                kws.iter().any(|k| MARKS.contains(&k.as_str()))
                    || name.split(' ').any(|w| MARKS.contains(&w))
            })
            .collect();
        RulesAdvisor {
            catalog,
            screen,
            lexicon: Lexicon::new(),
            keywords,
            pediatric,
            window: DEFAULT_WINDOW,
        }
    }

    /// A rules advisor over the embedded catalog.
    pub fn with_embedded_catalog() -> RulesAdvisor {
        RulesAdvisor::new(Arc::new(Catalog::embedded()))
    }

    /// Reads the last `window` utterances (at least 1).
    pub fn with_window(mut self, window: usize) -> RulesAdvisor {
        self.window = window.max(1);
        self
    }

    /// The catalog this advisor recommends from.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The red-flag screen this advisor runs first.
    pub fn screen(&self) -> &RedFlagScreen {
        &self.screen
    }

    /// The decision, synchronously (the [`Advisor`] impl calls this).
    pub fn decide(&self, conversation: &Conversation) -> Advice {
        self.decide_explained(conversation).advice
    }

    /// The decision with why: the red flag behind an intervention and the words that decided.
    pub fn decide_explained(&self, conversation: &Conversation) -> Explained {
        let mut why = Explained {
            advice: Advice::nothing(""),
            alerta: None,
            palavras: Vec::new(),
        };
        why.advice = self.decide_into(conversation, &mut why);
        why
    }

    fn decide_into(&self, conversation: &Conversation, why: &mut Explained) -> Advice {
        if conversation
            .utterances
            .iter()
            .all(|u| u.text.trim().is_empty())
        {
            return Advice::nothing("Nada foi dito ainda.");
        }
        let parsed: Vec<Spoken> = conversation
            .utterances
            .iter()
            .map(|u| Spoken::parse(&u.text))
            .collect();
        // 1. Red flags and prescription-only requests, anywhere in the window.
        let verdict = self
            .screen
            .verdict_parsed(&parsed, conversation.last_product.as_deref());
        if let (Some(advice), Some(s)) = (verdict.advice(), verdict.screening()) {
            why.alerta = Some(s.id.clone());
            why.palavras = s.palavras.clone();
            return advice;
        }
        let start = parsed.len().saturating_sub(self.window);
        // Newest first.
        let facts: Vec<Facts> = parsed[start..]
            .iter()
            .rev()
            .map(|u| facts::extract(u, &self.lexicon, &self.catalog))
            .collect();
        let last = conversation.last_product.as_deref().map(name_key);
        let newest = &facts[0];
        let probe_answered = newest.affirmative && newest.hits.is_empty() && facts.len() > 1;
        let ctx = PatientContext::from_window(&facts);

        let rx_requests = facts.iter().any(|f| !f.prescription_requests.is_empty());
        if rx_requests {
            return Advice::nothing(
                "Receita sendo aviada; nada a acrescentar sem nova queixa do cliente.",
            );
        }

        // 2. Which symptoms count: the newest utterance's, or earlier ones on a follow-up.
        let mut newest_hits: Vec<Hit> = newest.hits.clone();
        if probe_answered {
            newest_hits.extend(facts[1].probe_hits.iter().cloned());
        }
        let follow_up;
        if !newest_hits.is_empty() {
            follow_up = false;
        } else if (newest.asks
            || newest.follow_up
            || newest.has_context()
            || !(newest.closing || newest.small_talk))
            && facts[1..].iter().any(|f| !f.hits.is_empty())
        {
            // "o que você recomenda?", "tem outro?", "ela tem 3 anos", "tá bom" (its question
            // mark lost): about what was said. Only thanks, payment and greetings end it.
            follow_up = true;
        } else if newest.small_talk || newest.closing {
            return Advice::nothing("Saudação, preço ou pagamento: nada a sugerir.");
        } else {
            return Advice::nothing("Nenhum sintoma ou necessidade identificada.");
        }

        // 3. Category: the best-scoring one among those the newest utterance mentions
        //    (or, on a follow-up, among earlier ones).
        let mut scores: Vec<(Category, f32, Vec<String>)> = Vec::new();
        let mut add = |h: &Hit, w: f32| {
            if let Some(entry) = scores.iter_mut().find(|(c, _, _)| *c == h.category) {
                entry.1 += h.weight * w;
                // Keep the longest wording: "garganta inflamada" covers "garganta".
                if !entry.2.iter().any(|l| l.contains(h.label.as_str())) {
                    entry.2.retain(|l| !h.label.contains(l.as_str()));
                    entry.2.push(h.label.clone());
                }
            } else {
                scores.push((h.category, h.weight * w, vec![h.label.clone()]));
            }
        };
        for h in &newest_hits {
            add(h, RECENCY[0]);
        }
        let allowed: Vec<Category> = newest_hits.iter().map(|h| h.category).collect();
        for (d, f) in facts.iter().enumerate().skip(1) {
            let w = RECENCY[d.min(RECENCY.len() - 1)];
            for h in &f.hits {
                if follow_up || allowed.contains(&h.category) {
                    add(h, w);
                }
            }
        }
        scores.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let Some((category, strength, labels)) = scores.into_iter().next() else {
            return Advice::nothing("Nenhum sintoma ou necessidade identificada.");
        };
        // A passing word ("praia", "fralda", "dor" alone) is not a need.
        let said_weight: f32 = newest_hits
            .iter()
            .chain(facts[1..].iter().flat_map(|f| f.hits.iter()))
            .filter(|h| h.category == category)
            .map(|h| h.weight)
            .fold(0.0, f32::max);
        if said_weight < MIN_HIT_WEIGHT {
            return Advice::nothing(format!(
                "Menção solta ({}): nada a sugerir sem uma queixa ou um pedido.",
                labels.join(", ")
            ));
        }

        // 4. Product.
        why.palavras = labels.clone();
        self.recommend(
            category,
            strength,
            &labels,
            &ctx,
            &facts,
            last.as_deref(),
            follow_up,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn recommend(
        &self,
        category: Category,
        strength: f32,
        labels: &[String],
        ctx: &PatientContext,
        facts: &[Facts],
        last: Option<&str>,
        follow_up: bool,
    ) -> Advice {
        let window_text = {
            let mut s = String::from(" ");
            for f in facts {
                s.push_str(&f.text);
                s.push(' ');
            }
            s
        };
        let mut notes: Vec<String> = Vec::new();
        let mut excluded_age = Vec::new();
        let mut excluded_preg = Vec::new();
        let mut excluded_allergy = Vec::new();
        let mut excluded_cond: Vec<(Condition, String)> = Vec::new();
        let mut repeated = None;
        let mut candidates: Vec<(usize, &Product)> = Vec::new();
        // An age assumed for "o bebê" / "a criança" (none stated) that rules out the whole
        // category gives way to the category's youngest presentation, to be confirmed.
        let mut filter_age = ctx.effective_age();
        let mut relaxed_to: Option<f64> = None;
        if ctx.age.is_none()
            && let Some(assumed) = filter_age
        {
            let in_category = self
                .catalog
                .products()
                .iter()
                .filter(|p| p.categoria == category);
            let youngest = in_category
                .map(|p| p.idade_minima_anos)
                .fold(f64::INFINITY, f64::min);
            if youngest.is_finite() && youngest > assumed + 1e-9 {
                relaxed_to = Some(youngest);
                filter_age = Some(youngest);
            }
        }
        for (i, p) in self.catalog.products().iter().enumerate() {
            if p.categoria != category {
                continue;
            }
            if let Some(age) = filter_age
                && p.idade_minima_anos > age + 1e-9
            {
                excluded_age.push(p.nome.clone());
                continue;
            }
            if ctx.pregnant && p.gestante == PregnancyUse::Evitar {
                excluded_preg.push(p.nome.clone());
                continue;
            }
            if ctx.allergens.iter().any(|a| p.mentions_ingredient(a)) {
                excluded_allergy.push(p.nome.clone());
                continue;
            }
            if let Some(c) = p.evitar_se.iter().find(|c| ctx.conditions.contains(c)) {
                excluded_cond.push((*c, p.nome.clone()));
                continue;
            }
            if last == Some(name_key(&p.nome).as_str()) {
                repeated = Some(p.nome.clone());
                continue;
            }
            candidates.push((i, p));
        }
        let adult = ctx.effective_age().is_none_or(|a| a >= 12.0);
        let best = candidates.iter().max_by(|(ia, a), (ib, b)| {
            let key = |i: usize, p: &Product| {
                let preg = if ctx.pregnant {
                    match p.gestante {
                        PregnancyUse::Permitido => 2,
                        PregnancyUse::Consultar => 1,
                        PregnancyUse::Evitar => 0,
                    }
                } else {
                    0
                };
                // Adults get adult presentations, children pediatric ones, when both exist.
                let form = usize::from(adult != self.pediatric[i]);
                let kw: usize = self.keywords[i]
                    .iter()
                    .filter(|k| window_text.contains(&format!(" {k} ")))
                    .map(|k| k.split(' ').count())
                    .sum();
                // A product for the complaint said ("piolho": the lice lotion) beats one that
                // only suits the person (a baby's ointment); then presentation, then how much
                // of the complaint it names.
                (kw > 0, form, kw, preg)
            };
            key(*ia, a)
                .cmp(&key(*ib, b))
                // Earlier in the file wins a tie.
                .then(ib.cmp(ia))
        });

        let said = format!("Cliente relatou: {}.", labels.join(", "));
        if let Some(age) = ctx.age {
            if !excluded_age.is_empty() {
                notes.push(format!(
                    "Idade informada ({}): excluídos por idade mínima: {}.",
                    describe_age(age),
                    excluded_age.join(", ")
                ));
            } else {
                notes.push(format!("Idade informada: {}.", describe_age(age)));
            }
        } else if ctx.effective_age().is_some() {
            notes.push(format!(
                "Criança sem idade informada: escolhida apresentação infantil; confirmar idade e peso{}.",
                if excluded_age.is_empty() {
                    String::new()
                } else {
                    format!(" (excluídos: {})", excluded_age.join(", "))
                }
            ));
        }
        if let Some(youngest) = relaxed_to {
            notes.push(format!(
                "Idade não informada: a opção mais nova do catálogo é a partir de {}; confirmar a idade antes de indicar.",
                describe_age(youngest)
            ));
        }
        if ctx.pregnant {
            notes.push(if excluded_preg.is_empty() {
                "Gestante/lactante: confirmar o uso com o médico.".to_owned()
            } else {
                format!(
                    "Gestante/lactante: evitados {}; confirmar o uso com o médico.",
                    excluded_preg.join(", ")
                )
            });
        }
        if !ctx.allergy_labels.is_empty() {
            notes.push(format!(
                "Alergia relatada a {}: excluídos {}.",
                ctx.allergy_labels.join(", "),
                if excluded_allergy.is_empty() {
                    "nenhum produto desta categoria".to_owned()
                } else {
                    excluded_allergy.join(", ")
                }
            ));
        }
        for cond in &ctx.conditions {
            let names: Vec<&str> = excluded_cond
                .iter()
                .filter(|(c, _)| c == cond)
                .map(|(_, n)| n.as_str())
                .collect();
            if !names.is_empty() {
                notes.push(format!(
                    "Cliente com {}: evitados {}.",
                    cond.label(),
                    names.join(", ")
                ));
            }
        }
        if ctx.conditions.contains(&Condition::Dengue) {
            notes.push(
                "Suspeita de dengue: nada de AAS ou anti-inflamatórios; orientar hidratação e \
                 procurar atendimento."
                    .to_owned(),
            );
        }
        if let Some(r) = &repeated {
            notes.push(format!("{r} já foi sugerido; indicada outra opção."));
        }

        let Some((_, product)) = best else {
            let mut why = format!(
                "{said} Nenhum produto de {} do catálogo é adequado.",
                category.as_str()
            );
            for n in &notes {
                why.push(' ');
                why.push_str(n);
            }
            why.push_str(" Farmacêutico deve orientar.");
            return Advice::nothing(why);
        };

        let mut confidence = if follow_up {
            Confidence::Media
        } else if strength >= 4.0 {
            Confidence::Alta
        } else if strength >= 2.5 {
            Confidence::Media
        } else {
            Confidence::Baixa
        };
        let uncertain = (ctx.pregnant && product.gestante != PregnancyUse::Permitido)
            || (ctx.age.is_none() && ctx.effective_age().is_some())
            || relaxed_to.is_some();
        if uncertain {
            confidence = match confidence {
                Confidence::Alta => Confidence::Media,
                _ => Confidence::Baixa,
            };
        }
        let mut explanation = format!(
            "{said} Sugestão: {} ({} {}).",
            product.nome, product.principio_ativo, product.concentracao
        );
        for n in &notes {
            explanation.push(' ');
            explanation.push_str(n);
        }
        if let Some(c) = product.cautelas.first() {
            explanation.push_str(&format!(" Bula: {c}."));
        }
        Advice {
            decision: Decision::Recomendar,
            category: Some(category),
            product: Some(product.nome.clone()),
            explanation,
            confidence,
        }
    }
}

#[async_trait]
impl Advisor for RulesAdvisor {
    fn name(&self) -> &str {
        "regras"
    }

    async fn advise(&self, conversation: &Conversation) -> Result<Advice, AdvisorError> {
        Ok(self.decide(conversation))
    }
}

/// The patient context gathered over the window (newest statement wins).
#[derive(Debug, Clone, Default)]
struct PatientContext {
    age: Option<f64>,
    child: bool,
    baby: bool,
    pregnant: bool,
    allergens: Vec<String>,
    allergy_labels: Vec<String>,
    conditions: Vec<Condition>,
}

impl PatientContext {
    fn from_window(facts: &[Facts]) -> PatientContext {
        let mut ctx = PatientContext {
            age: facts.iter().find_map(|f| f.age_years),
            child: facts.iter().any(|f| f.child),
            baby: facts.iter().any(|f| f.baby),
            pregnant: facts.iter().find_map(|f| f.pregnant).unwrap_or(false),
            ..PatientContext::default()
        };
        for f in facts {
            for a in &f.allergens {
                if !ctx.allergens.contains(a) {
                    ctx.allergens.push(a.clone());
                }
            }
            for l in &f.allergy_labels {
                if !ctx.allergy_labels.contains(l) {
                    ctx.allergy_labels.push(l.clone());
                }
            }
            for c in &f.conditions {
                if !ctx.conditions.contains(c) {
                    ctx.conditions.push(*c);
                }
            }
        }
        ctx
    }

    /// The age used for filtering: stated, else assumed for a baby or child, else none (adult).
    fn effective_age(&self) -> Option<f64> {
        self.age.or(if self.baby {
            Some(ASSUMED_BABY_AGE)
        } else if self.child {
            Some(ASSUMED_CHILD_AGE)
        } else {
            None
        })
    }
}

fn describe_age(years: f64) -> String {
    if years >= 1.0 {
        let y = years.round();
        if y == 1.0 {
            "1 ano".to_owned()
        } else {
            format!("{y} anos")
        }
    } else if years * 12.0 >= 1.0 {
        let m = (years * 12.0).round();
        if m == 1.0 {
            "1 mês".to_owned()
        } else {
            format!("{m} meses")
        }
    } else {
        format!("{} dias", (years * 365.0).round())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use balto_core::advice::{INTERVENTION_PREFIX, Utterance};

    fn advisor() -> RulesAdvisor {
        RulesAdvisor::with_embedded_catalog()
    }

    fn one(text: &str) -> Advice {
        advisor().decide(&Conversation::single(text))
    }

    fn many(texts: &[&str], last: Option<&str>) -> Advice {
        advisor().decide(&Conversation {
            utterances: texts
                .iter()
                .enumerate()
                .map(|(i, t)| Utterance {
                    at_ms: i as u64 * 5_000,
                    text: (*t).to_owned(),
                })
                .collect(),
            last_product: last.map(str::to_owned),
        })
    }

    fn product(a: &Advice) -> &str {
        a.product.as_deref().unwrap_or("")
    }

    #[test]
    fn negated_symptoms_do_not_count() {
        let a = one("Não tenho febre, nem dor no corpo, só o nariz entupido.");
        assert_eq!(a.category, Some(Category::NarizCongestao), "{a:?}");
        let b = one("Estou sem tosse, graças a Deus.");
        assert_eq!(b.decision, Decision::Nenhuma, "{b:?}");
        let c = one("Não estou com falta de ar, é só uma tosse chata.");
        assert_eq!(c.decision, Decision::Recomendar, "{c:?}");
        assert_eq!(c.category, Some(Category::Tosse));
        let d = one("Não sinto dor no peito nenhuma, é só azia mesmo.");
        assert_eq!(d.category, Some(Category::AziaMaDigestao), "{d:?}");
    }

    #[test]
    fn red_flags_intervene() {
        for text in [
            "Meu pai está com uma dor forte no peito que vai pro braço.",
            "Ela tá com falta de ar desde ontem.",
            "Minha mãe acordou com a boca torta e a fala enrolada.",
            "Meu bebê de 2 meses está com febre.",
            "Estou vomitando sangue.",
            "Os lábios dele incharam depois do camarão.",
            "Eu não aguento mais, quero me matar.",
            "Me vê uma amoxicilina? Não tenho receita.",
        ] {
            let a = one(text);
            assert_eq!(a.decision, Decision::Intervencao, "{text}: {a:?}");
            assert_eq!(a.category, Some(Category::Intervencao));
            assert!(product(&a).starts_with(INTERVENTION_PREFIX), "{a:?}");
        }
        assert_eq!(
            product(&one("Quero azitromicina sem receita")),
            "Intervenção: exige receita"
        );
    }

    #[test]
    fn age_caution_picks_a_pediatric_product() {
        let a = one("Meu filho de 2 anos está com febre.");
        assert_eq!(a.category, Some(Category::DorFebre));
        let p = advisor().catalog().get(product(&a)).cloned();
        assert!(p.is_some_and(|p| p.idade_minima_anos <= 2.0), "{a:?}");
        assert!(a.explanation.contains("2 anos"), "{}", a.explanation);
    }

    #[test]
    fn a_product_for_the_complaint_beats_one_that_only_suits_the_child() {
        // Lice in a child: the lice lotion, not the baby's nappy ointment of the same category.
        let a = one("Meu filho tá com piolho.");
        assert_eq!(product(&a), "Permetrina 1% loção", "{a:?}");
        // A nappy rash still gets the nappy ointment.
        let b = one("O bebê tá com assadura.");
        assert_ne!(product(&b), "Permetrina 1% loção", "{b:?}");
    }

    #[test]
    fn pregnancy_caution_avoids_contraindicated_products() {
        let a = one("Estou grávida e com muita dor de cabeça.");
        assert_eq!(a.decision, Decision::Recomendar);
        let p = advisor().catalog().get(product(&a)).cloned();
        assert!(
            p.is_some_and(|p| p.gestante != PregnancyUse::Evitar),
            "{a:?}"
        );
        assert!(a.explanation.contains("Gestante"), "{}", a.explanation);
    }

    #[test]
    fn allergy_and_interactions_exclude_products() {
        let a = one("Tenho alergia a dipirona, e tô com dor de cabeça.");
        assert!(!product(&a).to_lowercase().contains("dipirona"), "{a:?}");
        let p = advisor().catalog().get(product(&a)).cloned();
        assert!(p.is_some_and(|p| !p.mentions_ingredient("dipirona")));
        let b = one("Tomo marevan e estou com dor nas costas.");
        let p = advisor().catalog().get(product(&b)).cloned();
        assert!(
            p.is_some_and(|p| !p.evitar_se.contains(&Condition::Anticoagulante)),
            "{b:?}"
        );
        let c = one("Sou hipertenso e meu nariz está entupido.");
        assert!(
            !product(&c).contains("Nafazolina") && !product(&c).contains("Oximetazolina"),
            "{c:?}"
        );
    }

    #[test]
    fn never_repeats_the_last_product() {
        let first = one("Estou com dor de cabeça");
        let again = many(&["Estou com dor de cabeça"], first.product.as_deref());
        assert_eq!(again.category, Some(Category::DorFebre));
        assert_ne!(again.product, first.product);
    }

    #[test]
    fn small_talk_says_nothing() {
        for text in [
            "Bom dia, tudo bem?",
            "Vai ser no cartão de débito.",
            "Quanto custa?",
            "",
        ] {
            assert_eq!(one(text).decision, Decision::Nenhuma, "{text}");
        }
    }

    #[test]
    fn a_last_segment_without_complaint_refers_back_unless_it_closes() {
        // "tá bom?" with its question mark lost.
        let a = many(&["minha garganta tá inflamada desde ontem", "ta bom"], None);
        assert_eq!(a.category, Some(Category::Garganta), "{a:?}");
        let b = many(
            &["minha garganta tá inflamada desde ontem", "obrigado, tchau"],
            None,
        );
        assert_eq!(b.decision, Decision::Nenhuma, "{b:?}");
    }

    #[test]
    fn is_deterministic() {
        let c = Conversation::single("tô gripado e com o nariz entupido, tenho pressão alta");
        let a = advisor();
        assert_eq!(a.decide(&c), a.decide(&c));
    }
}
