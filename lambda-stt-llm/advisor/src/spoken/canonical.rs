//! Canonical words of spoken Brazilian Portuguese: the one place where the spellings that speech
//! and speech-to-text produce are folded together before anything is matched.
//!
//! Input is the output of [`balto_core::text::words`] (lowercase, no accents, no punctuation). On top
//! of that, [`canonicalize`]:
//! - drops fillers ("né", "hum", "ahn", "tipo assim", "sei lá", "quer dizer", "uai", "vixe"…);
//! - expands contractions: "tô/to/tou" → "estou", "tá/ta" → "esta", "tava" → "estava", "pra" →
//!   "para", "pro" → "para o", "prum" → "para um", "numa" → "em uma", "dum" → "de um", and
//!   "num" → "nao" before a verb ("num consigo", "num chega", "num acordar") or "em um" otherwise
//!   ("num dia", "num lugar");
//! - folds chat and speech spellings: "cê/vc" → "voce", "q" → "que", "tb/tbm" → "tambem",
//!   "mt/mto" → "muito", "pq" → "porque", "mau" → "mal", "neném/nenê" → "bebe";
//! - folds diminutives to their base word ("dorzinha" → "dor", "boquinha" → "boca",
//!   "cansadinho" → "cansado", "febrinha" → "febre", "nenezinho" → "bebe");
//! - writes numbers as digits ("trinta e oito" → "38", "quarenta" → "40", "um mês" → "1 mes");
//! - joins split prefixes ("anti inflamatorio" → "antiinflamatorio", "band aid" → "bandaid");
//! - folds spellings as speech is heard ("di", "cum", "minha fia", "qué morrê", "os remédio"),
//!   clinical words to everyday ones ("cefaleia" → "dor de cabeca") and, through
//!   [`super::spanish`], a Spanish-speaking customer's words.
//!
//! Every output word carries the word as it was said (accents kept) for explanations.

use std::collections::HashMap;
use std::sync::LazyLock;

/// One canonical word and the words it came from, as said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    pub canon: String,
    pub shown: String,
    /// Index of the (first) input word it came from.
    pub from: usize,
}

/// Fillers dropped wherever they stand.
const FILLERS: &[&str] = &[
    "ne", "hum", "humm", "hummm", "hm", "hmm", "ahn", "an", "ah", "eh", "uh", "uhm", "eee", "ee",
    "eeee", "uai", "vixe", "oxe", "oxente", "tipo", "entendeu", "sabe",
];

/// Words that may stand between "um"/"num" and the word that decides what they are.
const HESITATIONS: &[&str] = &["entao", "assim", "ai", "dai", "e"];

/// Words after which "sabe" is the verb, not a filler.
const SUBJECTS_OF_SABE: &[&str] = &[
    "nao", "num", "nem", "ele", "ela", "voce", "ce", "ninguem", "quem", "so", "mal",
];

/// Two-word fillers dropped together.
const FILLER_PAIRS: &[(&str, &str)] = &[
    ("sei", "la"),
    ("quer", "dizer"),
    ("olha", "so"),
    ("tipo", "assim"),
    ("como", "assim"),
];

/// One word → one or more canonical words.
const SPELLINGS: &[(&str, &[&str])] = &[
    // "nem acorda", "nem chora", "nem quer beber": a sign said with "nem" reads as with "não".
    ("nem", &["nao"]),
    ("to", &["estou"]),
    ("tou", &["estou"]),
    ("ta", &["esta"]),
    ("tava", &["estava"]),
    ("tavam", &["estavam"]),
    ("tamo", &["estamos"]),
    ("tamos", &["estamos"]),
    ("pra", &["para"]),
    ("pras", &["para", "as"]),
    ("pro", &["para", "o"]),
    ("pros", &["para", "os"]),
    ("prum", &["para", "um"]),
    ("pruma", &["para", "uma"]),
    ("numa", &["em", "uma"]),
    ("nuns", &["em", "uns"]),
    ("numas", &["em", "umas"]),
    ("dum", &["de", "um"]),
    ("duma", &["de", "uma"]),
    ("ce", &["voce"]),
    ("vc", &["voce"]),
    ("vce", &["voce"]),
    ("oce", &["voce"]),
    ("ces", &["voces"]),
    ("vcs", &["voces"]),
    ("q", &["que"]),
    ("oq", &["o", "que"]),
    ("oque", &["o", "que"]),
    ("pq", &["porque"]),
    ("tb", &["tambem"]),
    ("tbm", &["tambem"]),
    ("mt", &["muito"]),
    ("mto", &["muito"]),
    ("mtu", &["muito"]),
    ("mta", &["muita"]),
    ("n", &["nao"]),
    ("nd", &["nada"]),
    ("hj", &["hoje"]),
    ("msm", &["mesmo"]),
    ("td", &["tudo"]),
    ("obg", &["obrigado"]),
    ("vlw", &["valeu"]),
    ("blz", &["beleza"]),
    ("mau", &["mal"]),
    ("nene", &["bebe"]),
    ("nenem", &["bebe"]),
    ("bebezinho", &["bebe"]),
    ("bebezinha", &["bebe"]),
    ("bebes", &["bebe"]),
    ("nenens", &["bebe"]),
    ("mesinho", &["mes"]),
    ("mesinhos", &["meses"]),
    ("aninho", &["ano"]),
    ("aninhos", &["anos"]),
    ("aguinha", &["agua"]),
    ("goela", &["garganta"]),
    // Popular words for the head and for moving: "bateu o quengo", "o bebê não bole".
    ("quengo", &["cabeca"]),
    ("cachola", &["cabeca"]),
    ("bole", &["mexe"]),
    ("bulindo", &["mexendo"]),
    ("aguinhas", &["aguas"]),
    ("linguinha", &["lingua"]),
    // Spoken spellings a transcriber writes as heard ("di dia", "cum febre", "minha fia", "os
    // oio", "onti", "dimais", "mió"): words no standard text uses, so they fold anywhere.
    ("di", &["de"]),
    ("dimais", &["demais"]),
    ("cum", &["com"]),
    ("cuma", &["com", "uma"]),
    ("onti", &["ontem"]),
    ("ontonti", &["anteontem"]),
    ("poco", &["pouco"]),
    ("poca", &["pouca"]),
    ("dipois", &["depois"]),
    ("despois", &["depois"]),
    ("tamem", &["tambem"]),
    ("tamen", &["tambem"]),
    ("minino", &["menino"]),
    ("mininu", &["menino"]),
    ("minina", &["menina"]),
    ("mininos", &["meninos"]),
    ("mininas", &["meninas"]),
    ("fia", &["filha"]),
    ("fias", &["filhas"]),
    ("fiinho", &["filho"]),
    ("fiinha", &["filha"]),
    ("oio", &["olho"]),
    ("oios", &["olhos"]),
    ("oinho", &["olho"]),
    ("oinhos", &["olhos"]),
    ("zoio", &["olhos"]),
    ("zoios", &["olhos"]),
    ("muie", &["mulher"]),
    ("memo", &["mesmo"]),
    ("mio", &["melhor"]),
    ("mior", &["melhor"]),
    ("nois", &["nos"]),
    ("im", &["em"]),
    ("dexa", &["deixa"]),
    ("dexou", &["deixou"]),
    ("dexo", &["deixou"]),
    ("baxa", &["baixa"]),
    ("baxo", &["baixo"]),
    ("baxou", &["baixou"]),
    ("banhero", &["banheiro"]),
    ("intero", &["inteiro"]),
    ("intera", &["inteira"]),
    ("primero", &["primeiro"]),
    ("primera", &["primeira"]),
    ("dinhero", &["dinheiro"]),
    ("cadera", &["cadeira"]),
    ("ladera", &["ladeira"]),
    ("treis", &["3"]),
    ("deiz", &["10"]),
];

/// Clinical words health workers and relatives repeat from the doctor ("cefaleia", "síncope",
/// "melena", "dispneia"), folded to the everyday words the rules are written in.
const CLINICAL: &[(&str, &[&str])] = &[
    ("cefaleia", &["dor", "de", "cabeca"]),
    ("cefaleias", &["dor", "de", "cabeca"]),
    ("hipertermia", &["febre"]),
    ("pirexia", &["febre"]),
    ("febril", &["com", "febre"]),
    ("sincope", &["desmaio"]),
    ("sincopa", &["desmaio"]),
    ("lipotimia", &["desmaio"]),
    ("oliguria", &["pouco", "xixi"]),
    ("anuria", &["sem", "xixi"]),
    ("taquicardia", &["coracao", "disparado"]),
    ("taquicardico", &["coracao", "disparado"]),
    ("taquicardica", &["coracao", "disparado"]),
    ("hematemese", &["vomito", "com", "sangue"]),
    ("melena", &["fezes", "pretas"]),
    ("enterorragia", &["sangue", "nas", "fezes"]),
    ("hematoquezia", &["sangue", "nas", "fezes"]),
    ("dispneia", &["falta", "de", "ar"]),
    ("dispneico", &["com", "falta", "de", "ar"]),
    ("dispneica", &["com", "falta", "de", "ar"]),
    ("sibilancia", &["chiado"]),
    ("sibilancias", &["chiado"]),
    ("precordialgia", &["dor", "no", "peito"]),
    ("autoexterminio", &["suicidio"]),
    ("ideacao", &["pensamento"]),
    ("concussao", &["pancada", "na", "cabeca"]),
    ("tce", &["traumatismo", "craniano"]),
    ("petequias", &["manchinhas", "vermelhas"]),
    ("prurido", &["coceira"]),
    ("rinorreia", &["nariz", "escorrendo"]),
    ("pirose", &["azia"]),
    ("dispepsia", &["ma", "digestao"]),
    ("mialgia", &["dor", "muscular"]),
    ("xerose", &["pele", "seca"]),
    ("obstipacao", &["intestino", "preso"]),
    ("edema", &["inchaco"]),
    ("hipotensao", &["pressao", "baixa"]),
    ("amniorrexe", &["bolsa", "rompeu"]),
    ("angioedema", &["inchaco", "nos", "labios"]),
    ("hemiparesia", &["fraqueza", "de", "um", "lado"]),
    ("hemiplegia", &["paralisia", "de", "um", "lado"]),
    ("disartria", &["fala", "enrolada"]),
    ("afasia", &["nao", "consegue", "falar"]),
    ("letargia", &["letargico"]),
    ("emese", &["vomito"]),
    ("epistaxe", &["sangramento", "no", "nariz"]),
    ("odinofagia", &["dor", "para", "engolir"]),
    ("disuria", &["ardencia", "para", "urinar"]),
];

/// Possessives after which "fio"/"fi" is a son ("meu fio", "seu fi"), not a wire or a thread
/// ("fio dental", "um fio de sangue").
const SON_OWNERS: &[&str] = &["meu", "teu", "seu", "nosso", "vosso"];

/// Words after "num" that make it "não" ("num consigo", "num tô") rather than "em um".
const VERBS_AFTER_NUM: &[&str] = &[
    // "num que" is the spoken "não qué" (quer).
    "que",
    "sei",
    "sabe",
    "consigo",
    "consegue",
    "conseguia",
    "conseguiu",
    "aguento",
    "aguenta",
    "quero",
    "quer",
    "queria",
    "posso",
    "pode",
    "tenho",
    "tem",
    "tinha",
    "to",
    "tou",
    "ta",
    "tava",
    "estou",
    "esta",
    "estava",
    "passa",
    "passou",
    "para",
    "parou",
    "pára",
    "melhora",
    "melhorou",
    "da",
    "deu",
    "dava",
    "vou",
    "vai",
    "ia",
    "faz",
    "fez",
    "fazia",
    "faco",
    "sinto",
    "sente",
    "sentia",
    "durmo",
    "dorme",
    "dormi",
    "dormiu",
    "como",
    "come",
    "comi",
    "comeu",
    "bebe",
    "bebo",
    "respiro",
    "respira",
    "mexe",
    "mexo",
    "mexeu",
    "lembro",
    "lembra",
    "enxergo",
    "enxerga",
    "vejo",
    "ve",
    "falo",
    "fala",
    "falou",
    "sai",
    "saiu",
    "acho",
    "gosto",
    "gosta",
    "preciso",
    "precisa",
    "e",
    "foi",
    "era",
    "fica",
    "fico",
    "ficou",
    "tomo",
    "toma",
    "tomei",
    "tomou",
    "uso",
    "usa",
    "bebe",
    "bebo",
    "bebeu",
    "mama",
    "mamou",
    "urina",
    "urinou",
    "chora",
    "acorda",
    "acordou",
    "levanta",
    "levantou",
    "anda",
    "andou",
    "engole",
    "engulo",
    "segura",
    "seguro",
    "abaixa",
    "encosta",
    "baixa",
    "baixou",
    "desce",
    "desceu",
    "some",
    "sumiu",
    "entra",
    "entrou",
    "funciona",
    "funcionou",
    "adianta",
    "adiantou",
    "resolve",
    "resolveu",
    "muito",
    "mais",
    "tanto",
    "tao",
    "dou",
    "deixa",
    "quis",
    "aguentei",
    "consegui",
    "entendo",
    "reconhece",
    "responde",
    "acordo",
];

/// Masculine nouns after "num" ("num lugar", "num dia") that end like a verb form.
const NOUNS_AFTER_NUM: &[&str] = &[
    "lugar",
    "bar",
    "mar",
    "par",
    "jantar",
    "colar",
    "altar",
    "celular",
    "militar",
    "familiar",
    "dia",
    "mapa",
    "problema",
    "sistema",
    "sofa",
    "clima",
    "tema",
    "programa",
    "pijama",
    "cinema",
    "planeta",
    "esquema",
    "chapeu",
    "ceu",
    "museu",
    "pneu",
    "homem",
    "trem",
    "armazem",
    "item",
    "posto",
    "minuto",
    "instante",
    "segundo",
    "momento",
    "canto",
    "copo",
    "carro",
    "hospital",
    "pronto",
    "consultorio",
    "medico",
    "mercado",
    "restaurante",
    "onibus",
    "outro",
    "desses",
    "daqueles",
    "negocio",
    "lanche",
    "almoco",
    "domingo",
    "sabado",
    "fim",
];

/// True when the word after "num" is a verb, so "num" is "não" ("num consigo", "num chega", "num
/// acordar", "num passou"): listed verbs, and the endings of infinitives, gerunds, the past and
/// the present in -a (a masculine noun after "num" rarely ends in -a).
fn verb_after_num(w: &str) -> bool {
    if VERBS_AFTER_NUM.contains(&w) {
        return true;
    }
    if NOUNS_AFTER_NUM.contains(&w) || w.chars().count() < 3 || number_word(w).is_some() {
        return false;
    }
    const ENDINGS: &[&str] = &[
        "ar", "er", "ir", "ando", "endo", "indo", "ou", "eu", "iu", "a", "am", "em", "ei",
        // The present of verbs in -ecer and -ender ("num obedece", "num reconhece", "num
        // entende", "num responde"): no masculine noun after "num" ends so.
        "ece", "esce", "ende", "onde",
    ];
    ENDINGS.iter().any(|e| w.ends_with(e))
}

/// Words that end like a diminutive but are not one.
const NOT_DIMINUTIVES: &[&str] = &[
    "minha",
    "minhas",
    "tinha",
    "tinham",
    "vinha",
    "vinham",
    "sozinho",
    "sozinha",
    "vizinho",
    "vizinha",
    "vizinhos",
    "vizinhas",
    "caminho",
    "cozinha",
    "linha",
    "linhas",
    "farinha",
    "rainha",
    "galinha",
    "padrinho",
    "madrinha",
    "vinho",
    "pinho",
    "espinha",
    "espinhas",
    "sardinha",
    "marinha",
    "carinho",
    "ninho",
    "moinho",
    "mesquinho",
    "adivinha",
    "tainha",
    "campainha",
    "bainha",
    "andorinha",
    "golfinho",
    "focinho",
    "cominho",
    "alecrinho",
    "sobrinho",
    "sobrinha",
    "sobrinhos",
    "sobrinhas",
    "pinha",
    // Said of a child who has gone floppy: a warning sign, not just "mole".
    "molinho",
    "molinha",
];

/// Base words ending in -e whose diminutive drops the -e ("dentinho" → "dente").
const E_WORDS: &[&str] = &[
    "dente", "febre", "quente", "tosse", "leite", "pele", "nome", "doce", "forte", "sangue",
    "gente", "ponte", "mole", "frente", "verde", "pente", "corte", "peixe", "noite", "tarde",
    "barbante", "pingue",
];

/// Base words ending in -z whose diminutive is "-zinho" on the base ("luzinha" → "luz", not
/// "lu" + "zinha").
const Z_WORDS: &[&str] = &[
    "luz", "voz", "nariz", "raiz", "cruz", "paz", "vez", "giz", "arroz", "rapaz", "cicatriz",
];

/// Number words (other than "um/uma", which are mostly articles).
const NUMBER_WORDS: &[(&str, u32)] = &[
    ("dois", 2),
    ("duas", 2),
    ("tres", 3),
    ("quatro", 4),
    ("cinco", 5),
    ("seis", 6),
    ("sete", 7),
    ("oito", 8),
    ("nove", 9),
    ("dez", 10),
    ("onze", 11),
    ("doze", 12),
    ("treze", 13),
    ("quatorze", 14),
    ("catorze", 14),
    ("quinze", 15),
    ("dezesseis", 16),
    ("dezessete", 17),
    ("dezoito", 18),
    ("dezenove", 19),
    ("vinte", 20),
    ("trinta", 30),
    ("quarenta", 40),
    ("cinquenta", 50),
    ("sessenta", 60),
    ("setenta", 70),
    ("oitenta", 80),
    ("noventa", 90),
    ("cem", 100),
    ("cento", 100),
];

/// Unit words after which "um/uma" is the number 1 ("um mês", "uma semana").
const UNITS: &[&str] = &[
    "ano", "anos", "mes", "meses", "semana", "semanas", "dia", "dias", "hora", "horas", "grau",
    "graus", "aninho", "mesinho",
];

/// Prefixes written apart or together ("anti inflamatório", "anti-alérgico", "antialérgico").
const JOINED_PREFIXES: &[&str] = &["anti"];

/// Word pairs written apart or together.
const JOINED_PAIRS: &[(&str, &str, &str)] = &[("band", "aid", "bandaid")];

/// A word whose meaning its neighbours decide, read as that meaning: "fio" after a possessive
/// is a son ("meu fio", not "fio dental"); "qué" (or "que" after a denial or a verb of saying,
/// [`is_want_spoken`]) is "quer"; the Spanish "no" before a Spanish verb is "não".
fn read_in_context(words: &[String], shown: &[String], i: usize) -> Option<&'static str> {
    let next = words.get(i + 1).map(String::as_str);
    let prev = i.checked_sub(1).map(|k| words[k].as_str());
    match words[i].as_str() {
        "fio" | "fi" if prev.is_some_and(|p| SON_OWNERS.contains(&p)) => Some("filho"),
        "que"
            if shown[i] == "qué"
                || prev.is_some_and(|p| {
                    is_want_spoken(p, i.checked_sub(2).map(|k| words[k].as_str()), next)
                }) =>
        {
            Some("quer")
        }
        "no" if super::spanish::is_denial_no(next) => Some("nao"),
        _ => None,
    }
}

/// Words after "não que" that keep "que" a conjunction ("não que eu saiba", "não que seja grave").
const NOT_WANT_AFTER: &[&str] = &[
    "eu",
    "ele",
    "ela",
    "eles",
    "elas",
    "voce",
    "a",
    "o",
    "as",
    "os",
    "isso",
    "isto",
    "seja",
    "fosse",
    "tenha",
    "esteja",
    "estivesse",
    "de",
    "da",
    "do",
    "e",
    "que",
    "me",
    "se",
    "nos",
    "tem",
    "tenho",
    "estou",
    "esta",
    "era",
];

/// Verbs of saying after which a doubled "que que" is "que quer" ("fala que qué morrê").
const SAYING: &[&str] = &[
    "fala", "falou", "falando", "diz", "disse", "dizendo", "falo", "falava", "dizia",
];

/// True when "que" is the spoken "qué" (quer): after "não"/"num" ("num que acorda") or as the
/// second of "que que" after a verb of saying, and before a word that is not a pronoun, an
/// article or a subjunctive.
fn is_want_spoken(prev: &str, before_prev: Option<&str>, next: Option<&str>) -> bool {
    let Some(next) = next else {
        return false;
    };
    if NOT_WANT_AFTER.contains(&next) || next.chars().count() < 2 {
        return false;
    }
    let not_que = prev == "nao" || prev == "num";
    let said_que = prev == "que" && before_prev.is_some_and(|b| SAYING.contains(&b));
    not_que || said_que
}

/// Further spellings of a pattern's word as speech says it and a transcriber may write it
/// ([`super::pattern`] adds them as alternatives): the gerund without its "d" ("ficando" →
/// "ficano", "vendo" → "veno"). The infinitive without its "r" and the past in "-ô" are read from
/// the accent instead ([`accented_verb`]): unaccented, "toma", "come", "tomo", "sufoco" are other
/// forms and nouns. A plural said without its "s" is read from its determiner
/// ([`fold_spoken_plurals`]): a pattern's plural often means many ("remédios", "coisas").
pub(crate) fn spoken_variants(word: &str) -> Vec<String> {
    let mut out = Vec::new();
    if !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return out;
    }
    let len = word.len();
    for gerund in ["ando", "endo", "indo"] {
        if len >= 5 && word.ends_with(gerund) {
            out.push(format!("{}o", &word[..len - 2]));
        }
    }
    out
}

/// Accented words ending like a spoken infinitive or past that are not one ("você", "bebê",
/// "sofá", "avô", "metrô").
const NOT_ACCENTED_VERBS: &[&str] = &[
    "voce",
    "bebe",
    "nene",
    "pure",
    "ipe",
    "cliche",
    "buque",
    "merce",
    "sofa",
    "maracuja",
    "guarana",
    "cracha",
    "cha",
    "esta",
    "sera",
    "tera",
    "fara",
    "dara",
    "ira",
    "estara",
    "podera",
    "havera",
    "vira",
    "dira",
    "sabera",
    "vera",
    "ficara",
    "precisara",
    "ai",
    "dai",
    "sai",
    "cai",
    "piaui",
    "acai",
    "avo",
    "vovo",
    "bisavo",
    "tataravo",
    "metro",
    "robo",
    "complo",
    "judo",
    "bangalo",
    "camelo",
    "ate",
    "ja",
    "la",
    "ca",
    "ha",
    "da",
    "va",
    "pa",
    "po",
    "so",
    "no",
    "do",
    "to",
    "ta",
    "ne",
    "ce",
    "ze",
    "vo",
    "de",
    "le",
    "ve",
    "ma",
    "coco",
    "trico",
    "bordo",
    "croche",
    "dende",
    "bide",
    "comite",
    "glace",
    "atelie",
    "matine",
    "canape",
    "fricasse",
    "parana",
    "fuba",
    "vatapa",
    "caja",
    "amapa",
    "macapa",
    "guaruja",
    "cuiaba",
    "itajuba",
    "tamandua",
    "jaba",
    "tiete",
    "baba",
    "sabia",
    "gamba",
    "alvara",
    "xara",
    "capo",
    "pivo",
    "bibelo",
];

/// The verb form an accent at the end of a spoken word gives away, as a transcriber writes what
/// it hears: "tomá", "comê", "morrê", "rí" are infinitives without their "r" ("tomar", "comer",
/// "morrer", "rir"), "tomô", "ficô", "apagô" the past in "-ou". `canon` is the word without accents,
/// `shown` with them.
fn accented_verb(canon: &str, shown: &str) -> Option<String> {
    let last = shown.chars().last()?;
    if canon.len() < 2 || NOT_ACCENTED_VERBS.contains(&canon) {
        return None;
    }
    match last {
        'á' | 'ê' | 'í' => Some(format!("{canon}r")),
        'ô' => Some(format!("{canon}u")),
        _ => None,
    }
}

/// A number of one or two digits ("30", "8"): the tens or the units of a number said in parts.
fn two_digit_number(w: &str) -> Option<u32> {
    (w.len() <= 2 && w.bytes().all(|b| b.is_ascii_digit()))
        .then(|| w.parse().ok())
        .flatten()
}

fn number_word(w: &str) -> Option<u32> {
    NUMBER_WORDS.iter().find(|(s, _)| *s == w).map(|(_, n)| *n)
}

/// Every one-word fold ([`SPELLINGS`], [`CLINICAL`], [`super::spanish::WORDS`]).
fn all_spellings() -> impl Iterator<Item = &'static (&'static str, &'static [&'static str])> {
    SPELLINGS
        .iter()
        .chain(CLINICAL)
        .chain(super::spanish::WORDS)
}

/// [`all_spellings`] by word, looked up for every word of every window.
static SPELLING_INDEX: LazyLock<HashMap<&'static str, &'static [&'static str]>> =
    LazyLock::new(|| all_spellings().copied().collect());

fn spelled(w: &str) -> Option<&'static [&'static str]> {
    SPELLING_INDEX.get(w).copied()
}

/// The base word of a diminutive ("dorzinha" → "dor"), if `w` is one.
fn undiminish(w: &str) -> Option<String> {
    if NOT_DIMINUTIVES.contains(&w) || w.chars().count() < 6 {
        return None;
    }
    for (suffix, vowel) in [
        ("zinhos", "s"),
        ("zinhas", "s"),
        ("zinho", ""),
        ("zinha", ""),
    ] {
        if let Some(stem) = w.strip_suffix(suffix)
            && stem.chars().count() >= 2
        {
            let z = format!("{stem}z");
            if Z_WORDS.contains(&z.as_str()) {
                return Some(format!("{z}{}", if vowel.is_empty() { "" } else { "es" }));
            }
            return Some(format!("{stem}{vowel}"));
        }
    }
    for (suffix, vowel, plural) in [
        ("inhos", "o", "s"),
        ("inhas", "a", "s"),
        ("inho", "o", ""),
        ("inha", "a", ""),
    ] {
        let Some(stem) = w.strip_suffix(suffix) else {
            continue;
        };
        if stem.chars().count() < 2 {
            return None;
        }
        // "boquinha" → "boca", "barriguinha" → "barriga".
        let stem = if let Some(s) = stem.strip_suffix("qu") {
            format!("{s}c")
        } else if let Some(s) = stem.strip_suffix("gu") {
            format!("{s}g")
        } else {
            stem.to_owned()
        };
        let with_e = format!("{stem}e");
        if E_WORDS.contains(&with_e.as_str()) {
            return Some(format!("{with_e}{plural}"));
        }
        return Some(format!("{stem}{vowel}{plural}"));
    }
    None
}

/// Canonical words of one clause. `words` and `shown` are the same words without and with
/// accents (same length; `shown` may be `words` itself).
pub(crate) fn canonicalize(words: &[String], shown: &[String]) -> Vec<Word> {
    // Fillers go first, so what they interrupt reads as if they were not there ("num, uai,
    // tenho" → "não tenho"; "de um, tipo, mês" → "de 1 mes").
    let mut kept: Vec<(String, String, usize)> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        if let Some(n) = words.get(i + 1)
            && FILLER_PAIRS.contains(&(w, n.as_str()))
        {
            i += 2;
            continue;
        }
        // "sabe" is a filler ("tá, sabe, muito mal") except as the verb it is after a negation or
        // a subject ("ele num sabe onde está", "ela não sabe o nome"); before an infinitive it
        // interrupts again ("pra não, sabe, acordar mais").
        let verb_sabe = w == "sabe"
            && kept
                .last()
                .is_some_and(|(p, _, _)| SUBJECTS_OF_SABE.contains(&p.as_str()))
            && !words
                .get(i + 1)
                .is_some_and(|n| ["ar", "er", "ir"].iter().any(|e| n.ends_with(e)));
        if verb_sabe || !FILLERS.contains(&w) {
            kept.push((
                words[i].clone(),
                shown.get(i).unwrap_or(&words[i]).clone(),
                i,
            ));
        }
        i += 1;
    }
    let words: Vec<String> = kept.iter().map(|(w, _, _)| w.clone()).collect();
    let origin: Vec<usize> = kept.iter().map(|(_, _, i)| *i).collect();
    let shown: Vec<String> = kept.into_iter().map(|(_, s, _)| s).collect();
    let shown_at = |i: usize| shown[i].clone();
    // The next word that is not a hesitation ("um, então, mês").
    let after_at =
        |i: usize| (i + 1..words.len()).find(|&j| !HESITATIONS.contains(&words[j].as_str()));
    let after = |i: usize| after_at(i).map(|j| words[j].as_str());
    let mut out: Vec<Word> = Vec::with_capacity(words.len() + 4);
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        let next = words.get(i + 1).map(String::as_str);
        // Joined pairs and prefixes.
        if let Some(n) = next {
            if let Some((_, _, joined)) = JOINED_PAIRS.iter().find(|(a, b, _)| *a == w && *b == n) {
                out.push(Word {
                    canon: (*joined).to_owned(),
                    shown: format!("{} {}", shown_at(i), shown_at(i + 1)),
                    from: origin[i],
                });
                i += 2;
                continue;
            }
            if JOINED_PREFIXES.contains(&w) && n.chars().all(char::is_alphabetic) {
                out.push(Word {
                    canon: format!("{w}{n}"),
                    shown: format!("{} {}", shown_at(i), shown_at(i + 1)),
                    from: origin[i],
                });
                i += 2;
                continue;
            }
        }
        // Numbers: "trinta e oito" → 38, "um mês" → "1 mes".
        let spelled_number = number_word(w);
        if let Some(n) = spelled_number.or_else(|| two_digit_number(w)) {
            let mut value = n;
            let mut used = 1;
            // "trinta e oito"; a hesitation may stand on either side of the "e" ("trinta, assim,
            // e cinco", "trinta e, aí, oito"), and speech-to-text may write both in digits
            // ("30 e 8").
            if n >= 20 && n.is_multiple_of(10) {
                let and_at = (i + 1..words.len()).find(|&j| {
                    let h = words[j].as_str();
                    h == "e" || !HESITATIONS.contains(&h)
                });
                if let Some(and_at) = and_at.filter(|&a| words[a] == "e")
                    && let Some(units_at) = after_at(and_at)
                    && let Some(m) = match words[units_at].as_str() {
                        "um" | "uma" => Some(1),
                        other => number_word(other)
                            .or_else(|| two_digit_number(other))
                            .filter(|m| (1..10).contains(m)),
                    }
                {
                    value += m;
                    used = units_at + 1 - i;
                }
            }
            // Digits not joined stay as they were written ("08", "15").
            if used > 1 || spelled_number.is_some() {
                let shown_words: Vec<String> = (i..i + used).map(shown_at).collect();
                out.push(Word {
                    canon: value.to_string(),
                    shown: shown_words.join(" "),
                    from: origin[i],
                });
                i += used;
                continue;
            }
        }
        if (w == "um" || w == "uma") && after(i).is_some_and(|n| UNITS.contains(&n)) {
            out.push(Word {
                canon: "1".to_owned(),
                shown: shown_at(i),
                from: origin[i],
            });
            i += 1;
            continue;
        }
        if let Some(canon) = read_in_context(&words, &shown, i) {
            out.push(Word {
                canon: canon.to_owned(),
                shown: shown_at(i),
                from: origin[i],
            });
            i += 1;
            continue;
        }
        if w == "num" {
            // "num passô", "num comê": a spoken verb form given away by its accent.
            let verb = after(i).is_some_and(verb_after_num)
                || words
                    .get(i + 1)
                    .is_some_and(|n| accented_verb(n, &shown[i + 1]).is_some());
            let parts: &[&str] = if verb { &["nao"] } else { &["em", "um"] };
            for p in parts {
                out.push(Word {
                    canon: (*p).to_owned(),
                    shown: shown_at(i),
                    from: origin[i],
                });
            }
            i += 1;
            continue;
        }
        let base = if spelled(w).is_some() {
            None
        } else {
            undiminish(w)
        };
        let w = base.as_deref().unwrap_or(w);
        match spelled(w) {
            Some(parts) => {
                for p in parts {
                    out.push(Word {
                        canon: (*p).to_owned(),
                        shown: shown_at(i),
                        from: origin[i],
                    });
                }
            }
            None => out.push(Word {
                canon: accented_verb(w, &shown[i]).unwrap_or_else(|| w.to_owned()),
                shown: shown_at(i),
                from: origin[i],
            }),
        }
        i += 1;
    }
    fold_compound_tenses(&mut out);
    fold_spoken_plurals(&mut out);
    out
}

/// Determiners that make the noun after them plural ("os remédio", "as perna", "nos braço").
const PLURAL_DETERMINERS: &[&str] = &[
    "os", "as", "dos", "das", "nos", "nas", "pelos", "pelas", "meus", "minhas", "teus", "tuas",
    "seus", "suas", "nossos", "nossas", "uns", "umas", "esses", "essas", "estes", "estas",
    "aqueles", "aquelas", "todos", "todas", "muitos", "muitas", "poucos", "poucas", "varios",
    "varias", "outros", "outras", "quantos", "quantas", "alguns", "algumas", "tantos", "tantas",
];

/// Words after a plural determiner that are not a noun to make plural ("os que", "as mais").
const NOT_PLURAL_NOUNS: &[&str] = &[
    "que", "de", "do", "da", "e", "o", "a", "um", "uma", "mais", "menos", "tambem", "ja", "so",
    "nao", "se", "me", "te", "lhe", "com", "sem", "para", "por", "em", "no", "na", "ate", "outro",
    "outra", "ele", "ela", "isso", "isto", "aquilo", "ai", "la", "ca", "aqui", "ali", "mesmo",
    "mesma", "quase", "bem", "mal", "muito", "pouco", "tudo", "nada", "sempre", "nunca", "quando",
    "onde", "como", "quanto", "hoje", "ontem", "agora", "depois", "antes", "ainda", "esta",
    "estava", "pode", "deve", "sao", "era", "foi", "fica", "ficou", "tinha", "tem",
];

/// A noun said without its plural "s" after a plural determiner or a number ("os remédio", "as
/// perna", "faz 5 dia", "80 ano") reads as the plural, as the determiner says.
fn fold_spoken_plurals(words: &mut [Word]) {
    for k in 1..words.len() {
        let before = words[k - 1].canon.as_str();
        let counted = before.parse::<u32>().is_ok_and(|n| n >= 2);
        if !counted && !PLURAL_DETERMINERS.contains(&before) {
            continue;
        }
        let w = words[k].canon.as_str();
        let plural = match w {
            "mes" => Some("meses".to_owned()),
            "vez" => Some("vezes".to_owned()),
            "mao" => Some("maos".to_owned()),
            "pe" => Some("pes".to_owned()),
            _ if counted && !UNITS.contains(&w) => None,
            _ if w.len() >= 3
                && w.ends_with(['a', 'e', 'o'])
                && !NOT_PLURAL_NOUNS.contains(&w)
                && w.bytes().all(|b| b.is_ascii_lowercase()) =>
            {
                Some(format!("{w}s"))
            }
            _ => None,
        };
        if let Some(p) = plural {
            words[k].canon = p;
        }
    }
}

/// Forms of "ter" (and "haver") that make a compound tense with a participle.
const COMPOUND_AUXILIARIES: &[&str] = &[
    "ter", "tenho", "tem", "temos", "tinha", "tinham", "tenha", "tenham", "tiver", "tiverem",
    "tivesse", "tivessem", "teria", "teriam", "tera", "havia", "haviam",
];

/// Participles a compound tense is folded from, and the simple past it means ("caso ele tenha
/// engolido" reads as "engoliu", "não ter feito xixi" as "fez"). A list, not a suffix rule:
/// "tem marido", "tem pedido médico", "tinha líquido" end the same way and are not verbs.
const PARTICIPLES: &[(&str, &str)] = &[
    ("tomado", "tomou"),
    ("engolido", "engoliu"),
    ("bebido", "bebeu"),
    ("comido", "comeu"),
    ("ingerido", "ingeriu"),
    ("mastigado", "mastigou"),
    ("lambido", "lambeu"),
    ("batido", "bateu"),
    ("caido", "caiu"),
    ("cortado", "cortou"),
    ("machucado", "machucou"),
    ("desmaiado", "desmaiou"),
    ("apagado", "apagou"),
    ("vomitado", "vomitou"),
    ("mordido", "mordeu"),
    ("picado", "picou"),
    ("sangrado", "sangrou"),
    ("urinado", "urinou"),
    ("evacuado", "evacuou"),
    ("engasgado", "engasgou"),
    ("queimado", "queimou"),
    ("torcido", "torceu"),
    ("quebrado", "quebrou"),
    ("mexido", "mexeu"),
    ("cheirado", "cheirou"),
    ("usado", "usou"),
    ("tossido", "tossiu"),
    ("dormido", "dormiu"),
    ("acordado", "acordou"),
    ("melhorado", "melhorou"),
    ("piorado", "piorou"),
    ("parado", "parou"),
    ("voltado", "voltou"),
    ("acontecido", "aconteceu"),
    ("esquecido", "esqueceu"),
    ("sumido", "sumiu"),
    ("aparecido", "apareceu"),
    ("convulsionado", "convulsionou"),
    ("estourado", "estourou"),
    ("rompido", "rompeu"),
    ("feito", "fez"),
    ("tido", "teve"),
    ("dito", "disse"),
    ("visto", "viu"),
    ("posto", "pos"),
];

/// Folds compound tenses to the simple past, so a sign said "caso ele tenha engolido" reads as
/// "engoliu" (the auxiliary stays), and "sem conseguir" / "sem poder" to "não consegue" / "não
/// pode" ("tá sem conseguir ficar em pé"); "sem parar" and the like stay.
fn fold_compound_tenses(words: &mut [Word]) {
    for k in 1..words.len() {
        if words[k - 1].canon == "sem" {
            // Up to two soft words may stand between ("sem, nossa, conseguir respirar").
            let verb =
                (k..words.len().min(k + 3)).find(|&j| !super::pattern::is_soft(&words[j].canon));
            let present = verb.and_then(|j| match words[j].canon.as_str() {
                "conseguir" => Some((j, "consegue")),
                "poder" => Some((j, "pode")),
                _ => None,
            });
            if let Some((j, p)) = present {
                words[k - 1].canon = "nao".to_owned();
                words[j].canon = p.to_owned();
            }
            continue;
        }
        if !COMPOUND_AUXILIARIES.contains(&words[k - 1].canon.as_str()) {
            continue;
        }
        if let Some((_, past)) = PARTICIPLES.iter().find(|(p, _)| *p == words[k].canon) {
            words[k].canon = (*past).to_owned();
        }
    }
}

/// The canonical words of `text`, ignoring its sentence structure (for tests and tools).
pub fn canonical_words(text: &str) -> Vec<String> {
    let words = balto_core::text::words(text);
    canonicalize(&words, &words)
        .into_iter()
        .map(|w| w.canon)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        canonical_words(s).join(" ")
    }

    #[test]
    fn contractions_and_speech_spellings_fold_together() {
        assert_eq!(canon("tô com febre"), "estou com febre");
        assert_eq!(canon("to com febre"), "estou com febre");
        assert_eq!(canon("tou com febre"), "estou com febre");
        assert_eq!(canon("Estou com febre"), "estou com febre");
        assert_eq!(canon("tá doendo"), "esta doendo");
        assert_eq!(canon("ta doendo"), "esta doendo");
        assert_eq!(canon("remédio pra dor"), "remedio para dor");
        assert_eq!(canon("pro nariz"), "para o nariz");
        assert_eq!(canon("cê tem? vc tem?"), "voce tem voce tem");
        assert_eq!(canon("o q é bom pra isso"), "o que e bom para isso");
        assert_eq!(canon("tb tô"), "tambem estou");
        assert_eq!(canon("mau jeito"), canon("mal jeito"));
    }

    #[test]
    fn compound_tenses_read_as_the_simple_past_and_look_alike_nouns_stay() {
        assert_eq!(canon("caso ele tenha engolido"), "caso ele tenha engoliu");
        assert_eq!(canon("não ter feito xixi"), "nao ter fez xixi");
        assert_eq!(
            canon("depois de ter batido a cabeça"),
            "depois de ter bateu a cabeca"
        );
        assert_eq!(canon("tem marido"), "tem marido");
        assert_eq!(canon("tem pedido médico"), "tem pedido medico");
        assert_eq!(canon("o rosto caído"), "o rosto caido");
        assert_eq!(
            canon("tá sem conseguir ficar em pé"),
            "esta nao consegue ficar em pe"
        );
        assert_eq!(canon("vomitando sem parar"), "vomitando sem parar");
    }

    #[test]
    fn num_is_negation_before_a_verb_and_a_contraction_otherwise() {
        assert_eq!(canon("num consigo respirar"), "nao consigo respirar");
        assert_eq!(canon("num tô bem"), "nao estou bem");
        assert_eq!(canon("num dia desses"), "em um dia desses");
        assert_eq!(canon("mas num muito caro"), "mas nao muito caro");
        assert_eq!(canon("numa boa"), "em uma boa");
        // Verb forms by their ending; masculine nouns that end alike stay "em um".
        assert_eq!(canon("o ar num chega"), "o ar nao chega");
        assert_eq!(
            canon("dormir e num acordar mais"),
            "dormir e nao acordar mais"
        );
        assert_eq!(canon("num passou"), "nao passou");
        assert_eq!(canon("num lugar"), "em um lugar");
        assert_eq!(canon("num problema"), "em um problema");
        assert_eq!(canon("num hospital"), "em um hospital");
        // The present of verbs in -ecer / -ender and "bebe" (round 21).
        assert_eq!(canon("a mão num obedece"), "a mao nao obedece");
        assert_eq!(
            canon("ela num reconhece ninguém"),
            "ela nao reconhece ninguem"
        );
        assert_eq!(canon("ele num entende nada"), "ele nao entende nada");
        assert_eq!(canon("ele num responde"), "ele nao responde");
        assert_eq!(canon("ele num bebe nada"), "ele nao bebe nada");
        assert_eq!(canon("num restaurante"), "em um restaurante");
        assert_eq!(canon("num dente"), "em um dente");
    }

    #[test]
    fn sabe_is_the_verb_after_a_negation_or_a_subject_and_a_filler_elsewhere() {
        assert_eq!(canon("ele num sabe onde está"), "ele nao sabe onde esta");
        assert_eq!(canon("ela não sabe o nome"), "ela nao sabe o nome");
        assert_eq!(canon("tá, sabe, muito mal"), "esta muito mal");
        assert_eq!(canon("dor, sabe, de cabeça"), "dor de cabeca");
        // Before an infinitive it interrupts again.
        assert_eq!(canon("pra não sabe acordar mais"), "para nao acordar mais");
    }

    #[test]
    fn tens_and_units_join_across_a_hesitation() {
        assert_eq!(canon("febre de trinta e aí oito"), "febre de 38");
        assert_eq!(canon("febre de trinta e então nove"), "febre de 39");
        assert_eq!(canon("trinta e e oito"), "38");
        assert_eq!(canon("trinta, assim, e cinco"), "35");
        assert_eq!(canon("febre de 30 e aí 8"), "febre de 38");
        assert_eq!(canon("tem 20 e poucos anos"), "tem 20 e poucos anos");
        assert_eq!(canon("às 08 e 15"), "as 08 e 15");
        assert_eq!(canon("trinta e quer dizer oito e meio"), "38 e meio");
        // Without units after the hesitation, nothing is joined.
        assert_eq!(canon("trinta e aí ele tomou"), "30 e ai ele tomou");
    }

    #[test]
    fn fillers_do_not_change_what_they_interrupt() {
        assert_eq!(canon("num, uai, tenho receita"), "nao tenho receita");
        assert_eq!(canon("bebê de um, tipo, mês"), "bebe de 1 mes");
        assert_eq!(canon("de um então mês"), "de 1 entao mes");
    }

    #[test]
    fn fillers_are_dropped() {
        assert_eq!(canon("dor de, né, cabeça"), "dor de cabeca");
        assert_eq!(canon("tipo assim, hum, uma tosse, sei lá"), "uma tosse");
        assert_eq!(canon("ééé, ahn, febre"), "febre");
    }

    #[test]
    fn diminutives_fold_to_their_base_word() {
        assert_eq!(canon("dorzinha"), "dor");
        assert_eq!(canon("febrinha"), "febre");
        assert_eq!(canon("boquinha"), "boca");
        assert_eq!(canon("barriguinha"), "barriga");
        assert_eq!(canon("cansadinho"), "cansado");
        assert_eq!(canon("dentinho"), "dente");
        assert_eq!(canon("nenezinho neném nenê"), "bebe bebe bebe");
        assert_eq!(canon("pezinho"), "pe");
        assert_eq!(canon("minha vizinha tinha"), "minha vizinha tinha");
        assert_eq!(canon("vitamina"), "vitamina");
        assert_eq!(canon("luzinha narizinho vozinha"), "luz nariz voz");
        assert_eq!(canon("luzinhas"), "luzes");
    }

    #[test]
    fn numbers_become_digits() {
        assert_eq!(canon("trinta e oito graus"), "38 graus");
        assert_eq!(canon("bebê de quarenta dias"), "bebe de 40 dias");
        assert_eq!(canon("um mês e meio"), "1 mes e meio");
        assert_eq!(canon("vinte e um anos"), "21 anos");
        assert_eq!(canon("uma dor"), "uma dor");
        assert_eq!(canon("2 anos"), "2 anos");
    }

    #[test]
    fn split_prefixes_are_joined() {
        assert_eq!(canon("anti-inflamatório"), "antiinflamatorio");
        assert_eq!(canon("anti alérgico"), canon("antialérgico"));
        assert_eq!(canon("band-aid"), "bandaid");
    }

    #[test]
    fn shown_words_keep_accents() {
        let out = said("tô com febrinha");
        assert_eq!(out[0].shown, "tô");
        assert_eq!(out[0].canon, "estou");
        assert_eq!(out[2].shown, "febrinha");
        assert_eq!(out[2].canon, "febre");
    }

    /// Canonical words of `text` read with its accents, as an utterance is.
    fn said(text: &str) -> Vec<Word> {
        let words = balto_core::text::words(text);
        let shown = balto_core::text::words_with(
            text,
            balto_core::text::NormalizeOptions {
                strip_accents: false,
            },
        );
        canonicalize(&words, &shown)
    }

    fn heard(text: &str) -> String {
        said(text)
            .into_iter()
            .map(|w| w.canon)
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn every_spelling_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for (w, _) in all_spellings() {
            assert!(seen.insert(*w), "{w} listed twice");
        }
    }

    #[test]
    fn spanish_at_the_counter_reads_as_portuguese() {
        assert_eq!(
            heard("mi hijo no quiere comer y tiene fiebre"),
            "meu filho nao quer comer e tem febre"
        );
        // "no" before a Portuguese noun stays "em + o".
        assert_eq!(heard("dor no peito"), "dor no peito");
        assert_eq!(heard("febre no bebê"), "febre no bebe");
    }

    #[test]
    fn accents_give_away_spoken_infinitives_and_pasts() {
        assert_eq!(
            heard("Qué comprá azitromicina, o médico num passô"),
            "quer comprar azitromicina o medico nao passou"
        );
        assert_eq!(heard("vontade di morrê"), "vontade de morrer");
        assert_eq!(heard("ele apagô e vomitô"), "ele apagou e vomitou");
        // Accented words that are not such verbs stay.
        assert_eq!(heard("o cocô do bebê"), "o coco do bebe");
        assert_eq!(
            heard("você tá com má digestão"),
            "voce esta com ma digestao"
        );
        assert_eq!(
            heard("meu avô lê jornal no sofá"),
            "meu avo le jornal no sofa"
        );
        assert_eq!(heard("a babá e o sabiá"), "a baba e o sabia");
        // Unaccented, "tomo" and "fica" are other forms: left as said.
        assert_eq!(heard("eu tomo e fica"), "eu tomo e fica");
    }

    #[test]
    fn spoken_want_is_read_after_a_denial_or_a_verb_of_saying() {
        assert_eq!(heard("ela num que acorda"), "ela nao quer acorda");
        assert_eq!(heard("fala que que morre"), "fala que quer morre");
        assert_eq!(heard("não que eu saiba"), "nao que eu saiba");
        assert_eq!(heard("o que que é isso"), "o que que e isso");
    }

    #[test]
    fn spoken_spellings_fold_and_a_son_is_told_from_a_thread() {
        assert_eq!(
            heard("meu fio tá cum febre di onti"),
            "meu filho esta com febre de ontem"
        );
        assert_eq!(heard("minha fia e os oio"), "minha filha e os olhos");
        assert_eq!(heard("passa o fio dental"), "passa o fio dental");
    }

    #[test]
    fn a_plural_said_without_its_s_reads_from_its_determiner() {
        assert_eq!(heard("os remédio e as perna"), "os remedios e as pernas");
        assert_eq!(
            heard("faz 5 dia, 80 ano, 2 mês"),
            "faz 5 dias 80 anos 2 meses"
        );
        assert_eq!(heard("as mão e os pé"), "as maos e os pes");
        // Singular after one, or a word that is not a noun, stays.
        assert_eq!(heard("1 dia"), "1 dia");
        assert_eq!(heard("os que vieram"), "os que vieram");
    }

    #[test]
    fn gerunds_without_their_d_are_matched_by_patterns() {
        assert_eq!(spoken_variants("vomitando"), vec!["vomitano".to_owned()]);
        assert_eq!(spoken_variants("vendo"), vec!["veno".to_owned()]);
        assert!(spoken_variants("febre").is_empty());
        assert!(spoken_variants("ando").is_empty());
    }
}
