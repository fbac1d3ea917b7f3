//! Figures of speech and told history: words that name a symptom without complaining of one.
//!
//! Everyday Portuguese borrows the body for emphasis ("morrendo de calor", "morta de cansaço",
//! "fiquei sem ar de tanto rir", "dá dor de cabeça só de ver", "ninguém é de ferro", "coração na
//! mão"), names the weather in degrees ("calor de 40 graus"), judges how the *pharmacist* looks
//! ("você parece cansada") and tells episodes long over ("teve AVC faz cinco anos", "aquela tosse
//! que eu tinha"). Every advisor stage reads the same canonical words, so these spans are blanked
//! once, here, for all of them: their words become [`BLANK`], which no pattern matches.
//!
//! Each figure is a class, written from how the expression is used, not from one sentence; real
//! complaints that look alike stay ("morrendo de dor", "dor de cabeça de matar", "tive AVC e agora
//! a boca entortou" keeps its second half, "faz dois dias que tô com febre" is recent).

use std::sync::LazyLock;

use super::canonical::Word;
use super::{Pattern, signature};

/// What a blanked word becomes: no pattern word can normalise to it.
pub(crate) const BLANK: &str = "·";

/// The figures, in the pattern syntax of [`Pattern`].
const FIGURES: &[&str] = &[
    // Hyperbole: dying of heat, hunger, laughter, shame, tiredness… (not of pain).
    "morrendo|morrer|morri|morreu|morremos|morta|morto|mortinha|mortinho|mortos|mortas ~ de \
     calor|fome|sono|rir|rindo|vergonha|cansaco|saudade|saudades|medo|inveja|preguica|frio|tedio|\
     curiosidade|susto|ciume|ciumes|raiva|trabalhar|trabalho|sede|alegria|felicidade",
    "quase ~ morri|morreu|morremos|infartei|infartou|enfartei",
    // Laughter: choking, breathless or crying with it, in either order.
    "rimos|rir|rindo|ri|riu|riram|risada*|gargalhada*|gargalhando ~~ \
     engasg*|sem_ar|sem_folego|falta_de_ar|perdi_o_ar|chorar|chorando|chorei|barriga_doer",
    "engasg*|sem_ar|sem_folego|falta_de_ar|perdi_o_ar|chorei|chorando|barriga_doendo ~~ \
     tanto_rir|tanto_que_ri|tanta_risada|rir|rindo|risada*|gargalhada*",
    // Annoyance: a headache just from seeing or thinking of something.
    "dor_de_cabeca ~ de|so_de|so_em ~ ver|pensar|ouvir|olhar|lembrar|saber",
    "ninguem_e_de_ferro",
    // Something or someone that *is* a headache: a nuisance, not a symptom.
    // ("é" loses its accent in transcripts and reads as "e", "and": only a nuisance named right
    // before it, or a verb that cannot be "and", makes the figure.)
    "virou|foi|era|sao|ser ~ uma|um ~ dor_de_cabeca",
    "chefe|trabalho|servico|transito|fila|filas|isso|conta|contas|banco|obra|reforma|vizinho|\
     vizinha|vizinhos|sogra|sogro|governo|onibus|cliente|clientes|papelada|burocracia|escola|\
     cachorro|gato|carro|celular|internet|sistema ~ e ~ uma|um ~ dor_de_cabeca",
    // Making a mark, a spot or a pain go away is a product's job, not a wish to disappear.
    "sumir|desaparecer|some|sumiu ~ a|o|as|os|essa|esse|essas|esses|com ~ mancha|manchas|dor|dores|\
     roxo|roxao|hematoma|marca|marcas|espinha|espinhas|cravo|cravos|cicatriz|coceira|verruga|\
     verrugas|olheira|olheiras|caspa|celulite|estria|estrias|ruga|rugas|melasma|inchaco|\
     vermelhidao|calo|calos|frieira|pano|piolho|piolhos",
    // The heart as emotion.
    "coracao_na_mao|coracao_partido|coracao_apertado_de_saudade",
    "coracao ~ apertou|aperta|apertado|doeu|doi ~~ ver|vendo|saudade|noticia|reportagem|novela|\
     filme|jornal",
    // Weather and traffic, not fever or violence.
    "calor|sol|rachar|tempo|clima|previsao|verao|fora|rua|termometro_da_rua ~~ #25-50 ~ graus",
    "fazendo|faz|fez|fazer ~ #25-50 ~ graus",
    "de_rachar|de_lascar",
    "fila|filas|transito|calor|trabalho|chefe|preco|precos|conta|contas|onibus ~~ \
     de_matar|matando|mata_a_gente|me_mata",
    // Mosquito control as civic talk (a clean-up, a breeding site, the health agent's visit),
    // not a bite or a request for protection.
    "foco|focos|criadouro|criadouros|agua_parada|mutirao|endemias|larva|larvas|pneu|pneus|\
     vasos|caixa_d_agua ~~ mosquito|mosquitos|aedes",
    // The pharmacist's looks, judged by the customer.
    "voce|ce|senhora|senhor|moca|moco ~ parece|parecia|parecendo|ta_com_cara_de|esta_com_cara_de \
     ~ cansad*|abatid*|gripad*|resfriad*|doente|rouc*|com_sono|com_olheira*|palida|palido|triste",
    // An episode long over: dated months or years back with a completed verb, or "the X I had".
    "teve|tive|tiveram|tivemos ~~ faz|ha|tem ~ #1-99|uns|umas|muitos|muitas ~ ano|anos|mes|meses",
    "faz|ha ~ #1-99|uns|umas|muitos|muitas ~ ano|anos|mes|meses ~~ teve|tive|tiveram|tivemos",
    "aquela|daquela|aquele|daquele|aquelas|daquelas ~~ que ~ eu|ele|ela|ce|voce|a_gente ~ \
     tinha|tive|teve|tava|estava|tinham",
    // Someone who had it and is back to life as usual: "o ator que teve um infarto já voltou a
    // gravar", "aquele que teve derrame já tá dirigindo".
    "que|quem ~ teve|tiveram|tinha ~~ ja ~ voltou|volta|voltaram|dirigindo|trabalhando|gravando|\
     recuperado|recuperada|recuperou|curado|curada|otimo|otima|liberado|liberada",
];

static COMPILED: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    FIGURES
        .iter()
        .map(|f| Pattern::parse(f).unwrap_or_else(|e| panic!("figure {f:?}: {e}")))
        .collect()
});

/// Blanks every figure in one sentence's canonical words.
pub(crate) fn blank_figures(words: &mut [Word]) {
    let tokens: Vec<String> = words.iter().map(|w| w.canon.clone()).collect();
    let sig = signature(&tokens);
    for figure in COMPILED.iter() {
        for span in figure.find_all_signed(&tokens, sig) {
            for w in &mut words[span.start..span.end] {
                w.canon = BLANK.to_owned();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spoken::Utterance;

    fn kept(text: &str) -> String {
        Utterance::parse(text).all_tokens().join(" ")
    }

    #[test]
    fn every_figure_compiles() {
        assert_eq!(COMPILED.len(), FIGURES.len());
    }

    #[test]
    fn figures_are_blanked() {
        for text in [
            "tô morrendo de calor",
            "fiquei engasgado de tanto rir",
            "dá até dor de cabeça só de ver",
            "tá um calor de 40 graus",
            "você parece cansada",
            "minha tia teve avc faz cinco anos",
            "lembra daquela tosse que eu tinha",
            "esse meu chefe é uma dor de cabeça",
            "quer uma pomada pra sumir a mancha",
            "o vizinho que teve derrame já tá dirigindo",
            "o agente de endemias não achou nenhum foco do mosquito",
        ] {
            let k = kept(text);
            assert!(k.contains(BLANK), "{text:?} → {k:?}");
        }
        assert!(!kept("tô morrendo de calor").contains("calor"));
        assert!(!kept("minha tia teve avc faz cinco anos").contains("avc"));
    }

    #[test]
    fn real_complaints_that_look_alike_stay() {
        for (text, word) in [
            ("tô morrendo de dor nas costas", "dor"),
            ("uma dor de cabeça de matar", "cabeca"),
            ("faz dois dias que tô com febre de 39 graus", "febre"),
            ("meu filho tá com 39 graus", "39"),
            ("tive avc ano passado e agora a boca entortou", "entortou"),
            ("fiquei sem ar subindo a escada", "ar"),
            ("tô com o coração disparado", "coracao"),
            ("eu quero sumir, não aguento mais", "sumir"),
            ("tô cheia de picada de mosquito", "mosquito"),
            ("tô com uma dor de cabeça forte", "cabeca"),
            ("tô com febre e uma dor de cabeça", "febre"),
        ] {
            let k = kept(text);
            assert!(
                k.split(' ').any(|w| w == word),
                "{text:?} lost {word:?}: {k:?}"
            );
            assert!(!k.contains(BLANK) || word == "entortou", "{text:?} → {k:?}");
        }
    }
}
