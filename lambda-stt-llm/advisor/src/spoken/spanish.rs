//! Spanish as Spanish-speaking customers say it at a Brazilian counter (Venezuelans, Bolivians,
//! Paraguayans, Argentines; whole sentences or words mixed into Portuguese): the health words and
//! the grammar words the advisors need, folded to the Portuguese words the rules are written in.
//!
//! Only words that are not also Portuguese words are listed ("cara", "vaso", "trago", "mama",
//! "chama", "mas", "pico" are left alone); "no" is read as "não" only before a Spanish verb ([`is_denial_no`]),
//! since "no peito" is Portuguese. Input words are lowercase and without accents ("niño" →
//! "nino", "tomó" → "tomo" is not listed: it is also Portuguese).

use std::collections::HashMap;
use std::sync::LazyLock;

/// Spanish word → Portuguese words.
const WORDS: &[(&str, &[&str])] = &[
    // People.
    ("hijo", &["filho"]),
    ("hija", &["filha"]),
    ("hijos", &["filhos"]),
    ("hijas", &["filhas"]),
    ("hijito", &["filho"]),
    ("hijita", &["filha"]),
    ("nino", &["menino"]),
    ("nina", &["menina"]),
    ("ninos", &["meninos"]),
    ("ninas", &["meninas"]),
    ("nena", &["bebe"]),
    ("esposo", &["marido"]),
    ("abuela", &["avo"]),
    ("abuelo", &["avo"]),
    ("hermano", &["irmao"]),
    ("hermana", &["irma"]),
    ("suegro", &["sogro"]),
    ("suegra", &["sogra"]),
    ("sobrina", &["sobrinha"]),
    ("embarazada", &["gravida"]),
    ("embarazo", &["gravidez"]),
    // The body.
    ("cabeza", &["cabeca"]),
    ("pecho", &["peito"]),
    ("espalda", &["costas"]),
    ("cuello", &["pescoco"]),
    ("brazo", &["braco"]),
    ("brazos", &["bracos"]),
    ("pierna", &["perna"]),
    ("piernas", &["pernas"]),
    ("ojos", &["olhos"]),
    ("ojo", &["olho"]),
    ("ojitos", &["olhos"]),
    ("mollera", &["moleira"]),
    ("costillas", &["costelas"]),
    ("sangre", &["sangue"]),
    ("barbilla", &["queixo"]),
    ("izquierda", &["esquerda"]),
    ("izquierdo", &["esquerdo"]),
    ("derecha", &["direita"]),
    ("derecho", &["direito"]),
    // Complaints and signs.
    ("fiebre", &["febre"]),
    ("dolor", &["dor"]),
    ("dolores", &["dores"]),
    ("duele", &["doi"]),
    ("duelen", &["doem"]),
    ("tos", &["tosse"]),
    ("diarrea", &["diarreia"]),
    ("debil", &["fraco"]),
    ("debiles", &["fracos"]),
    ("hinchado", &["inchado"]),
    ("hinchada", &["inchada"]),
    ("hinchando", &["inchando"]),
    ("hinchazon", &["inchaco"]),
    ("hundida", &["afundada"]),
    ("hundido", &["afundado"]),
    ("hundidos", &["fundos"]),
    ("hunden", &["afundam"]),
    ("ronchas", &["vergoes"]),
    ("manchitas", &["manchas"]),
    ("llora", &["chora"]),
    ("llorando", &["chorando"]),
    ("desmayo", &["desmaio"]),
    ("desmayado", &["desmaiado"]),
    ("desmayada", &["desmaiada"]),
    ("convulsion", &["convulsao"]),
    ("oscuro", &["escuro"]),
    ("oscura", &["escura"]),
    ("fuerte", &["forte"]),
    ("fortisimo", &["fortissimo"]),
    ("caliente", &["quente"]),
    ("heladas", &["geladas"]),
    ("helada", &["gelada"]),
    ("helado", &["gelado"]),
    ("dormida", &["sonolenta"]),
    ("dormido", &["sonolento"]),
    ("confundido", &["confuso"]),
    ("confundida", &["confusa"]),
    ("atontada", &["tonta"]),
    ("atontado", &["tonto"]),
    ("doble", &["dobrado"]),
    ("aire", &["ar"]),
    ("acidez", &["azia"]),
    ("quemadura", &["queimadura"]),
    ("herida", &["ferida"]),
    // What was taken.
    ("pastillas", &["comprimidos"]),
    ("pastilla", &["comprimido"]),
    ("jarabe", &["xarope"]),
    ("lejia", &["agua", "sanitaria"]),
    ("lavandina", &["agua", "sanitaria"]),
    ("suero", &["soro"]),
    ("receta", &["receita"]),
    ("abeja", &["abelha"]),
    ("mariscos", &["camarao"]),
    // Verbs.
    ("tiene", &["tem"]),
    ("tienen", &["tem"]),
    ("tengo", &["tenho"]),
    ("quiere", &["quer"]),
    ("quiero", &["quero"]),
    ("puede", &["pode"]),
    ("puedo", &["posso"]),
    ("despierta", &["acorda"]),
    ("despertar", &["acordar"]),
    ("cayo", &["caiu"]),
    ("golpeo", &["bateu"]),
    ("pegaron", &["bateram"]),
    ("comio", &["comeu"]),
    ("bebio", &["bebeu"]),
    ("agarro", &["pegou"]),
    ("muere", &["morre"]),
    ("morir", &["morrer"]),
    ("muerte", &["morte"]),
    ("matarse", &["se", "matar"]),
    ("matarme", &["me", "matar"]),
    ("despertarme", &["acordar"]),
    ("levantarse", &["levantar"]),
    ("aguanto", &["aguento"]),
    ("aguanta", &["aguenta"]),
    ("sudando", &["suando"]),
    ("sudor", &["suor"]),
    ("orina", &["urina"]),
    ("devuelve", &["devolve"]),
    ("sangro", &["sangrou"]),
    // Grammar and time.
    ("y", &["e"]),
    ("el", &["o"]),
    ("del", &["do"]),
    ("con", &["com"]),
    ("sin", &["sem"]),
    ("mi", &["meu"]),
    ("mis", &["meus"]),
    ("su", &["seu"]),
    ("muy", &["muito"]),
    ("mucho", &["muito"]),
    ("mucha", &["muita"]),
    ("poquito", &["pouco"]),
    ("hoy", &["hoje"]),
    ("ayer", &["ontem"]),
    ("anoche", &["ontem"]),
    ("antier", &["anteontem"]),
    ("ahora", &["agora"]),
    ("hace", &["faz"]),
    ("tambien", &["tambem"]),
    ("suelo", &["chao"]),
    ("abierta", &["aberta"]),
    ("entero", &["inteiro"]),
    ("entera", &["inteira"]),
];

/// Spanish verbs after which "no" is "não" ("no quiere", "no puede respirar", "no me reconoce").
const AFTER_NO: &[&str] = &[
    "quiere",
    "quiero",
    "puede",
    "puedo",
    "come",
    "toma",
    "orina",
    "respira",
    "despierta",
    "reconoce",
    "se",
    "me",
    "le",
    "lo",
    "hay",
    "tiene",
    "tengo",
    "habla",
    "camina",
    "entiende",
    "aguanto",
    "aguanta",
    "sale",
    "duerme",
    "mueve",
    "responde",
    "veo",
    "siento",
    "siente",
];

static INDEX: LazyLock<HashMap<&'static str, &'static [&'static str]>> =
    LazyLock::new(|| WORDS.iter().copied().collect());

/// The Portuguese words for a Spanish word, if it is one the advisors need.
pub(crate) fn portuguese(word: &str) -> Option<&'static [&'static str]> {
    INDEX.get(word).copied()
}

/// True when "no" before `next` is the Spanish "não" ("no quiere comer"), not "em + o".
pub(crate) fn is_denial_no(next: Option<&str>) -> bool {
    next.is_some_and(|n| AFTER_NO.contains(&n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spanish_word_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for (w, _) in WORDS {
            assert!(seen.insert(*w), "{w} listed twice");
        }
    }
}
