//! Figures of speech and told history: words that name a symptom without complaining of one.
//!
//! Everyday Portuguese borrows the body for emphasis ("morrendo de calor", "morta de cansaço",
//! "fiquei sem ar de tanto rir", "dá dor de cabeça só de ver", "ninguém é de ferro", "coração na
//! mão"), names the weather in degrees ("calor de 40 graus"), judges how the *pharmacist* looks
//! ("você parece cansada") and tells episodes long over ("teve AVC faz cinco anos", "aquela tosse
//! que eu tinha", "tinha rinite na adolescência"). It also retells the news and fiction ("deu na
//! TV que tem surto de meningite", "na novela a vilã tomou veneno"): what is reported is blanked
//! to the end of the clause, up to the customer's own words ("…e eu tô com febre" stays). Every
//! advisor stage reads the same canonical words, so these spans are blanked once, here, for all
//! of them: their words become [`BLANK`], which no pattern matches.
//!
//! Each figure is a class, written from how the expression is used, not from one sentence; real
//! complaints that look alike stay ("morrendo de dor", "dor de cabeça de matar", "tive AVC e agora
//! a boca entortou" keeps its second half, "faz dois dias que tô com febre" is recent).

use std::sync::LazyLock;

use super::canonical::Word;
use super::{Pattern, WordIndex};

/// What a blanked word becomes: no pattern word can normalise to it.
pub(crate) const BLANK: &str = "·";

/// The figures, in the pattern syntax of [`Pattern`].
const FIGURES: &[&str] = &[
    // Hyperbole: dying of heat, hunger, laughter, shame, tiredness… (not of pain).
    "morrendo|morrer|morri|morreu|morremos|morta|morto|mortinha|mortinho|mortos|mortas ~ de \
     calor|fome|sono|rir|rindo|vergonha|cansaco|saudade|saudades|medo|inveja|preguica|frio|tedio|\
     curiosidade|susto|ciume|ciumes|raiva|trabalhar|trabalho|sede|alegria|felicidade|cansada|\
     cansado|cansadas|cansados|exausta|exausto",
    "quase ~ morri|morreu|morremos|infartei|infartou|enfartei",
    // A shock at a price or a bill: "quase tive um infarto quando vi a fatura".
    "quase ~ tive|tenho|teve|deu|dei|me_deu|tinha ~ um|uma ~ infarto|ataque|treco|piripaque|\
     ataque_cardiaco|derrame|avc|sincope ~~ quando|com|de ~~ vi|ver|viu|olhei|soube|preco|conta|\
     fatura|valor|gasolina|boleto|susto|nota|notinha",
    // A sting dodged: "quase levei uma ferroada de abelha, mas desviei".
    "quase ~ levei|tomei|fui|levou|tomou|foi ~~ ferroada|picada|picado|picada|mordida|mordido",
    // A thermometer in the street: "o termômetro da praça marcava quarenta graus".
    "termometro|termometros ~~ praca|rua|carro|cidade|banco|farmacia ~~ #25-50 ~ graus",
    // A fear named, not a complaint: "tenho pavor de infarto", "morro de medo de agulha".
    "medo|pavor|panico|receio|trauma ~ de|do|da|que|de_ter|de_pegar|de_dar ~~ infarto|avc|derrame|\
     dengue|meningite|convuls*|cancer|anafilaxia|abelha|abelhas|agulha|agulhas|sangue|morrer|\
     hemorragica|desmaiar|engasgar",
    // An episode dated by its year, or last year, from the verb to the date: "infartou em 2019",
    // "teve sangramento no começo da gravidez ano passado".
    "teve|tive|tiveram|tivemos|infartou|infartei|enfartou|pegou|peguei|operou|operei|internou|\
     internei|desmaiou|desmaiei|sofreu|sofri|ficou|fiquei ~~ em|no|de ~ #1950-2030",
    "teve|tive|tiveram|tivemos ~~ ano|mes ~ passado|retrasado",
    // Told of a birth long past: "a bolsa estourou com 36 semanas quando eu nasci".
    "estourou|rompeu|teve|tive|sangrou|desmaiou ~~ quando ~ eu|ele|ela|voce ~ nasci|nasceu",
    // A childhood habit: "desmaiava quando ia tirar sangue quando era criança".
    "desmaiava|desmaiavam|desmaiei ~~ quando ~ era|eramos ~ crianca|pequeno|pequena|nova|novo|\
     jovem|adolescente",
    // Sport and suspense "kill" the heart; sleep and laughter make one faint.
    "mata|matou|matando|matar|mataram ~ do ~ coracao",
    "desmai*|apaguei|apagou ~ de ~ sono|cansaco|cansada|cansado|rir|tanto_rir|fome",
    // Laughter: choking, breathless or crying with it, in either order.
    "rimos|rir|rindo|ri|riu|riram|risada*|gargalhada*|gargalhando ~~ \
     engasg*|sem_ar|sem_folego|falta_de_ar|perdi_o_ar|chorar|chorando|chorei|barriga_doer",
    "engasg*|sem_ar|sem_folego|falta_de_ar|perdi_o_ar|chorei|chorando|barriga_doendo|desmai*|\
     morri|morreu|passei_mal ~~ \
     tanto_rir|tanto_que_ri|tanta_risada|rir|rindo|risada*|gargalhada*",
    // Annoyance: a headache just from seeing or thinking of something.
    "dor_de_cabeca ~ de|so_de|so_em ~ ver|pensar|ouvir|olhar|lembrar|saber",
    "ninguem_e_de_ferro",
    // Something or someone that *is* a headache: a nuisance, not a symptom.
    // ("é" loses its accent in transcripts and reads as "e", "and": only a nuisance named right
    // before it, or a verb that cannot be "and", makes the figure.)
    // Word for word: "tá com febre e uma dor de cabeça" is a complaint.
    "virou|foi|era|sao|ser uma|um dor_de_cabeca",
    // "X tá uma dor de cabeça": being a nuisance (a complaint says "tô com", not "tá uma").
    "esta|estava|anda|andou|fica|ficou uma|um dor_de_cabeca",
    "chefe|trabalho|servico|transito|fila|filas|isso|conta|contas|banco|obra|reforma|vizinho|\
     vizinha|vizinhos|sogra|sogro|governo|onibus|cliente|clientes|papelada|burocracia|escola|\
     cachorro|gato|carro|celular|internet|sistema ~ e ~ uma|um ~ dor_de_cabeca",
    // A nuisance that "gives a headache": a team, a bill, the boss ("o Grêmio me deu dor de
    // cabeça de novo", "essa conta de luz me dá até dor de cabeça"); a medicine or the sun that
    // gives one is a complaint and is not listed.
    "chefe|trabalho|servico|transito|fila|filas|conta|contas|fatura|boleto|boletos|preco|precos|\
     banco|obra|reforma|vizinho|vizinha|vizinhos|sogra|sogro|governo|politica|eleicao|time|jogo|\
     campeonato|gremio|inter|internacional|flamengo|fluminense|vasco|botafogo|corinthians|\
     palmeiras|santos|cruzeiro|atletico|bahia|vitoria|sport|fortaleza|ceara|coritiba|athletico|\
     juiz|escola|papelada|burocracia ~~ me ~ deu|da|dando|deram|dao|dava|davam|dar ~~ dor_de_cabeca",
    // Forgetting the sunscreen is how a sunburn is told, not a request for one.
    "esqueci|esqueceu|esquecemos ~ de ~ passar|usar|levar ~~ protetor",
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
    // A complaint of a period of life long past: "tinha rinite na adolescência", "quando eu era
    // criança sofria de bronquite".
    "tinha|tive|sofria|sofri|vivia|tinham ~~ na|da|de|quando ~ adolescencia|infancia|juventude|\
     crianca|pequeno|pequena|adolescente|mocinha|mocinho|faculdade|escola|colegio",
    "quando ~ eu|ele|ela ~ era|eramos ~ crianca|pequeno|pequena|novo|nova|jovem|adolescente|\
     mocinha|mocinho ~~ tinha|tive|sofria|vivia|tinham",
    // Someone who had it and is back to life as usual: "o ator que teve um infarto já voltou a
    // gravar", "aquele que teve derrame já tá dirigindo".
    "que|quem ~ teve|tiveram|tinha ~~ ja ~ voltou|volta|voltaram|dirigindo|trabalhando|gravando|\
     recuperado|recuperada|recuperou|curado|curada|otimo|otima|liberado|liberada",
];

/// The news, a programme or fiction being retold: the match and the rest of its clause are
/// blanked, up to the customer's own words ([`OWN_WORDS`]).
const REPORTED: &[&str] = &[
    "deu|passou|falou|falaram|mostrou|mostraram|saiu|vi|viu|li|leu|ouvi|ouviu|assisti|assistiu|\
     disseram|dizem|postaram|postou ~ na|no|nos|nas|em ~ televisao|tv|jornal|jornais|noticia|\
     noticias|radio|internet|reportagem|novela|filme|serie|programa|whatsapp|zap|grupo|instagram|\
     facebook|tiktok|youtube",
    // ("na televisão" alone is often an aside: "levanta os braços, como falam na televisão".)
    "na|no|nessa|nesse|naquela|naquele ~ novela|filme|serie|reportagem|programa|noticia|jornal",
    "o|a ~ jornal|noticia|reportagem|televisao|tv|novela|radio|reporter|apresentador|apresentadora \
     ~ falou|falaram|disse|mostrou|deu|anunciou|noticiou",
    // A programme, a story or a lesson named as the subject: "aquela novela… a vilã envenenou",
    // "no último episódio chegou um menino que engoliu uma bateria", "o meme da mulher que ia
    // morrer", "um curso de primeiros socorros… o teste do sorriso pra AVC".
    "aquela|aquele|essa|esse|esta|este|a|o|as|os|uma|um|na|no|nessa|nesse|naquela|naquele ~ \
     novela|novelas|serie|series|episodio|capitulo|documentario|meme|memes|piada|curso|palestra|\
     treinamento|maquete|reportagem|video|videos",
    // A TV programme (not a loyalty one): "aquele programa de médico na TV".
    "programa|programas ~ de|da|do|na|no ~ medico|medicos|saude|tv|televisao|auditorio|culinaria|\
     domingo|policia|hospital",
    "li|lemos|leu|ouvi|ouviu ~ que",
    // A film watched, a note from school: "assisti um filme em que o cara levava uma
    // pancada…", "a escola mandou bilhete sobre um caso de meningite em outra turma" (an
    // outbreak told by the customer stays: "teve caso de meningite na creche do meu filho e hoje
    // ele acordou com febre").
    "assisti|assistiu|assistimos|vi|vimos ~ um|uma|o|a|aquele|aquela ~ filme|serie|novela|video|\
     programa|documentario",
    "bilhete|aviso|comunicado|circular ~~ sobre|de ~~ caso|casos|surto",
    // Someone's work in health: "minha filha é enfermeira obstétrica, vive contando de parto…",
    // "trabalho no CIATox, a gente atende muita ligação de criança que mexeu em produto".
    "e|era enfermeira|enfermeiro|medica|medico|socorrista|bombeiro|bombeira|pediatra|obstetra|\
     residente|parteira",
    "trabalha|trabalho|trabalhava|formou|estuda|estudando ~~ enfermagem|medicina|residencia|\
     plantao|plantoes|socorrista|ciatox|samu|hospital|pronto_socorro|upa|maternidade|pediatria",
    "atende|atendem|atendia|atendo|atendemos ~~ muita|muito|muitos|muitas|caso|casos|ligacao|\
     ligacoes",
    // A course or a lesson: "a gente fez curso de primeiros socorros", "a professora ensinou
    // os sinais de AVC".
    "curso|cursos|aula|aulas|treinamento|palestra|oficina ~ de|do|da|sobre",
    "ensinou|ensinaram|explicou|explicaram|aprendi|aprendemos|aprendeu|mostrou_como",
    // A programme and what it shows: "aquele programa de TV mostrou uma moça…", "a atriz fala
    // enrolado direitinho".
    "programa|novela|jornal|reportagem|filme|serie|documentario ~~ mostrou|mostrando|mostra|\
     falou|falando|fala|contou|contando",
    "ator|atriz|personagem|personagens|vilao|protagonista",
    // "Viu aquela notícia do rapaz que teve AVC na academia?"
    "viu|vi|viram|vimos|leu|li|ouviu|ouvi|soube ~ aquela|aquele|a|o|uma|um|essa|esse ~ noticia|\
     noticias|reportagem|materia|video|post|caso|historia",
    "a ~ cada ~ #1-99 ~ minuto|minutos|segundo|segundos",
    "trabalho ~ na|da ~ escola|faculdade",
    // An animal's complaint is the vet's ("a minha gata vomita bola de pelo").
    "o|a|os|as|meu|minha|meus|minhas|nosso|nossa ~ gato|gata|gatinho|gatinha|gatos|cachorro|\
     cachorra|cachorrinho|cachorrinha|cadela|cao|passarinho|papagaio|calopsita|coelho|hamster|pet \
     ~~ vomit*|diarreia|\
     tosse|tossindo|espirr*|coceira|cocando|pulga*|carrapato*|bicheira|sarna|veterinari*",
];

/// Told history that runs to the end of its sentence, up to a return to now ([`NOW_WORDS`]):
/// "quando eu tinha dez anos caí da mangueira e bati a cabeça", "lembra daquele susto com o meu
/// netinho que bebeu detergente", "meu sogro teve um derrame há muito tempo, ficou com a fala
/// devagar".
const HISTORY: &[&str] = &[
    "quando ~ eu|ele|ela|a_gente ~ tinha|tinhamos|era|eramos ~~ #1-99 ~ ano|anos",
    "quando ~ eu|ele|ela|a_gente ~ era|eramos ~ crianca|criancas|pequeno|pequena|pequenos|novo|\
     nova|jovem|adolescente|mocinha|mocinho",
    "lembra|lembras|lembram|lembrou ~ daquele|daquela|daquilo|da_vez|do_dia|do_susto",
    // An illness of someone's childhood or of a named month gone: "minha sogra teve meningite
    // quando era criança", "tive dengue em março, … mas agora tô ótima".
    "teve|tive|tiveram|tivemos|pegou|peguei|pegaram ~~ quando ~ era|eramos|tinha ~~ crianca|\
     criancas|pequeno|pequena|bebe|nova|novo|menina|menino|jovem|adolescente",
    "tive|teve|tivemos|tiveram|peguei|pegou|pegamos ~ dengue|zika|chikungunya|covid|gripe|\
     meningite|pneumonia|catapora|sarampo ~~ em|no|na ~ janeiro|fevereiro|marco|abril|maio|junho|\
     julho|agosto|setembro|outubro|novembro|dezembro|carnaval|verao|inverno",
    // A past visit for a jab or a blood test: "quando fui tomar a vacina quase desmaiei".
    "quando ~ fui|foi|fomos|levei ~~ tomar|fazer|tirar|dar ~~ vacina|sangue|exame|injecao",
    "teve|tive|tiveram|tivemos ~~ ha|faz ~ muito ~ tempo",
];

/// Words that end a told history: the story has come back to now.
const NOW_WORDS: &[&str] = &["agora", "hoje", "ontem", "novamente", "desde"];

/// Words that end a retold span: the customer turning to their own case, or to the pharmacist.
const OWN_WORDS: &[&str] = &[
    "eu", "estou", "estava", "mas", "meu", "minha", "meus", "minhas", "me", "comigo", "agora",
    "voce", "voces", "ce", "senhor", "senhora", "moca", "moco",
];

/// Words a retold span keeps: an outbreak in the news is context for the customer's own
/// signs ("deu no jornal que tem surto de dengue e meu filho tá sangrando a gengiva"), and these
/// act only together with a sign of the customer's.
const CONTEXT_IN_REPORT: &[&str] = &["dengue", "zika", "chikungunya", "chicungunha"];

/// The most words a retold span or a told history reaches past its match: a transcript without
/// punctuation joins the story to what follows ("…o último capítulo bati a cabeça na porta").
const STORY_REACH: usize = 12;

static COMPILED: LazyLock<Vec<Pattern>> = LazyLock::new(|| compile(FIGURES));
static COMPILED_REPORTED: LazyLock<Vec<Pattern>> = LazyLock::new(|| compile(REPORTED));
static COMPILED_HISTORY: LazyLock<Vec<Pattern>> = LazyLock::new(|| compile(HISTORY));

fn compile(patterns: &[&str]) -> Vec<Pattern> {
    patterns
        .iter()
        .map(|f| Pattern::parse(f).unwrap_or_else(|e| panic!("figure {f:?}: {e}")))
        .collect()
}

/// Blanks every figure in one sentence's canonical words.
pub(crate) fn blank_figures(words: &mut [Word]) {
    let tokens: Vec<String> = words.iter().map(|w| w.canon.clone()).collect();
    let index = WordIndex::of(&tokens);
    for figure in COMPILED.iter() {
        for span in figure.find_all_signed(&tokens, &index) {
            blank(&mut words[span.start..span.end], &[]);
        }
    }
    for (patterns, stops, keep) in [
        (&*COMPILED_REPORTED, OWN_WORDS, CONTEXT_IN_REPORT),
        (&*COMPILED_HISTORY, NOW_WORDS, &[][..]),
    ] {
        for pattern in patterns {
            for span in pattern.find_all_signed(&tokens, &index) {
                // A stop word ends the blank even inside a long match ("minha cachorra dorme
                // comigo e eu acordo empolado" keeps "eu acordo empolado"), past the match's
                // first two words ("a minha gata vomita…" is all the story).
                let reach = (span.end + STORY_REACH).min(tokens.len());
                let from = (span.start + 2).min(reach);
                let end = tokens[from..reach]
                    .iter()
                    .position(|t| stops.contains(&t.as_str()))
                    .map_or(reach, |i| from + i);
                blank(&mut words[span.start..end], keep);
            }
        }
    }
}

/// Blanks `words`, except those in `keep`.
fn blank(words: &mut [Word], keep: &[&str]) {
    for w in words
        .iter_mut()
        .filter(|w| !keep.contains(&w.canon.as_str()))
    {
        w.canon = BLANK.to_owned();
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
            "quase tive um infarto quando vi a fatura",
            "esse time me mata do coração",
            "desmaiei de sono no sofá",
            "o Grêmio me deu dor de cabeça de novo",
            "dá até dor de cabeça só de ver",
            "tá um calor de 40 graus",
            "você parece cansada",
            "minha tia teve avc faz cinco anos",
            "lembra daquela tosse que eu tinha",
            "esse meu chefe é uma dor de cabeça",
            "quer uma pomada pra sumir a mancha",
            "o vizinho que teve derrame já tá dirigindo",
            "o agente de endemias não achou nenhum foco do mosquito",
            "essa fila tá uma dor de cabeça hoje",
            "desmaiei de rir com a piada",
            "eu tinha uma rinite terrível na adolescência",
            "deu na televisão que tem surto de meningite no interior",
            "na novela ontem a vilã tomou veneno",
            "o jornal falou que bateu recorde de dengue",
            "aquela novela tá demais, a vilã envenenou o marido",
            "a minha gata vomita bola de pelo toda semana",
            "o meu cachorro tá com diarreia desde ontem",
            "quando eu tinha uns dez anos eu caí da árvore e bati a cabeça",
            "lembra daquele susto com meu netinho que bebeu detergente",
            "meu sogro teve um derrame há muito tempo, ficou com a fala meio devagar",
            "minha sogra teve meningite quando era criança",
            "tive dengue em março, sangrou a gengiva e tudo",
            "quando fui tomar a vacina quase desmaiei",
            "viu aquela notícia do rapaz que teve AVC na academia",
        ] {
            let k = kept(text);
            assert!(k.contains(BLANK), "{text:?} → {k:?}");
        }
        assert!(!kept("tô morrendo de calor").contains("calor"));
        assert!(!kept("minha tia teve avc faz cinco anos").contains("avc"));
        assert!(!kept("deu na tv que tem surto de meningite no interior").contains("meningite"));
    }

    #[test]
    fn a_retold_story_ends_where_the_customer_speaks_of_themselves() {
        let k = kept("vi no jornal que a dengue dá manchas e eu tô com manchas e febre");
        assert!(k.ends_with("eu estou com manchas e febre"), "{k:?}");
        let k = kept("vi no jornal que tem surto de dengue e meu filho tá sangrando a gengiva");
        assert!(k.contains("dengue") && k.contains("meu filho"), "{k:?}");
        let k = kept("na novela a vilã tomou veneno, que drama, minha mãe chorou");
        assert!(
            !k.contains("veneno") && k.contains("minha mae chorou"),
            "{k:?}"
        );
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
            ("ela tá com febre e uma dor de cabeça", "febre"),
            ("minha filha está com febre e uma dor de cabeça", "cabeca"),
            ("tô com uma dor de cabeça que não passa", "cabeca"),
            ("tinha dor de barriga desde a infância e piorou", "barriga"),
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
