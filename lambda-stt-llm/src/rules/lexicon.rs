//! The rules advisor's vocabulary: symptom and need phrases per category, prescription-only
//! drugs (a prescription being filled), conditions, allergens, and small-talk markers. Pattern
//! syntax is described in [`crate::spoken`]; red flags live in the red-flag catalogue
//! (`data/red_flags.json`), not here.

use balto_core::advice::Category;

use crate::catalog::Condition;

/// Whether a phrase describes a symptom or just names a kind of product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// "dor de cabeça", "tosse": an opportunity on its own.
    Symptom,
    /// "protetor solar", "vitamina": a product type; not an opportunity during payment talk.
    Need,
}

use Category as C;
use Kind::{Need, Symptom};

/// (pattern, category, weight, kind).
pub(crate) const CATEGORY_TERMS: &[(&str, Category, f32, Kind)] = &[
    // dor_febre
    ("dor|dores de|na cabeca", C::DorFebre, 3.0, Symptom),
    (
        "cabeca ~ doendo|latejando|estourando",
        C::DorFebre,
        3.0,
        Symptom,
    ),
    ("enxaqueca", C::DorFebre, 3.0, Symptom),
    ("cefaleia", C::DorFebre, 3.0, Symptom),
    ("febre|febril|febrao", C::DorFebre, 2.0, Symptom),
    ("temperatura alta", C::DorFebre, 2.0, Symptom),
    (
        "dor|dores de|no|nos dente|dentes",
        C::DorFebre,
        2.5,
        Symptom,
    ),
    ("dente ~ doendo", C::DorFebre, 2.5, Symptom),
    ("colica menstrual", C::DorFebre, 3.0, Symptom),
    ("colica|colicas", C::DorFebre, 1.5, Symptom),
    ("menstruacao", C::DorFebre, 1.0, Symptom),
    ("dor|dores no corpo", C::DorFebre, 2.0, Symptom),
    ("corpo ~ doendo|dolorido", C::DorFebre, 2.0, Symptom),
    ("analgesico*", C::DorFebre, 2.5, Need),
    ("remedio pra|para dor", C::DorFebre, 1.5, Need),
    ("antitermico*", C::DorFebre, 2.5, Need),
    // gripe_resfriado
    (
        "gripe|gripado|gripada|gripou|gripei|gripal",
        C::GripeResfriado,
        3.0,
        Symptom,
    ),
    (
        "resfriado|resfriada|resfriamento|resfriei|resfriou",
        C::GripeResfriado,
        3.0,
        Symptom,
    ),
    ("coriza", C::GripeResfriado, 2.0, Symptom),
    ("nariz escorrendo", C::GripeResfriado, 2.0, Symptom),
    ("escorrendo o nariz", C::GripeResfriado, 2.0, Symptom),
    ("calafrio*", C::GripeResfriado, 1.5, Symptom),
    ("corpo mole", C::GripeResfriado, 1.0, Symptom),
    ("mal estar", C::GripeResfriado, 1.0, Symptom),
    ("moleza", C::GripeResfriado, 1.0, Symptom),
    ("antigripal", C::GripeResfriado, 3.0, Need),
    // tosse
    (
        "tosse|tossindo|tossir|tossinha|tossiu|tusso",
        C::Tosse,
        3.0,
        Symptom,
    ),
    ("catarro", C::Tosse, 2.0, Symptom),
    ("pigarro", C::Tosse, 1.5, Symptom),
    ("expectorante", C::Tosse, 3.0, Need),
    ("xarope", C::Tosse, 1.5, Need),
    // garganta
    ("dor de|na garganta", C::Garganta, 4.0, Symptom),
    (
        "garganta ~ doendo|inflamada|irritada|arranhando|ardendo|raspando|seca",
        C::Garganta,
        4.0,
        Symptom,
    ),
    ("dor pra|para|ao engolir", C::Garganta, 3.0, Symptom),
    ("rouco|rouca|rouquidao", C::Garganta, 2.0, Symptom),
    ("amigdala*", C::Garganta, 2.0, Symptom),
    ("garganta", C::Garganta, 1.5, Symptom),
    ("pastilha*", C::Garganta, 2.0, Need),
    // nariz_congestao
    (
        "nariz ~ entupido|trancado|fechado|tapado|congestionado|seco",
        C::NarizCongestao,
        4.0,
        Symptom,
    ),
    ("entupido|entupida", C::NarizCongestao, 1.5, Symptom),
    ("congestao nasal", C::NarizCongestao, 4.0, Symptom),
    ("respirar pelo nariz", C::NarizCongestao, 3.0, Symptom),
    ("sinusite", C::NarizCongestao, 3.0, Symptom),
    ("descongestionante*", C::NarizCongestao, 3.0, Need),
    ("soro ~ nariz|nasal", C::NarizCongestao, 3.0, Need),
    ("lavar o nariz", C::NarizCongestao, 3.0, Need),
    // alergia
    (
        "alergia|alergico|alergica|alergias",
        C::Alergia,
        3.0,
        Symptom,
    ),
    ("rinite alergica", C::Alergia, 4.0, Symptom),
    ("rinite", C::Alergia, 2.5, Symptom),
    ("espirr*", C::Alergia, 2.0, Symptom),
    (
        "coceira|cocando ~ nariz|corpo|pele",
        C::Alergia,
        3.0,
        Symptom,
    ),
    ("coceira|cocando|cocar|cocei", C::Alergia, 1.5, Symptom),
    ("urticaria", C::Alergia, 3.0, Symptom),
    ("empolad*|vergoes", C::Alergia, 2.0, Symptom),
    ("placas vermelhas", C::Alergia, 2.0, Symptom),
    ("picada|picadas|picado|picada", C::Alergia, 2.0, Symptom),
    ("antialergico*", C::Alergia, 3.0, Need),
    ("anti alergico*", C::Alergia, 3.0, Need),
    // azia_ma_digestao
    ("azia", C::AziaMaDigestao, 4.0, Symptom),
    ("queimacao", C::AziaMaDigestao, 3.0, Symptom),
    ("ma digestao", C::AziaMaDigestao, 4.0, Symptom),
    (
        "estomago pesado|embrulhado|ruim|queimando",
        C::AziaMaDigestao,
        3.0,
        Symptom,
    ),
    ("dor de|no estomago", C::AziaMaDigestao, 2.5, Symptom),
    ("empachad*", C::AziaMaDigestao, 3.0, Symptom),
    ("refluxo", C::AziaMaDigestao, 3.0, Symptom),
    ("gastrite", C::AziaMaDigestao, 3.0, Symptom),
    ("acidez", C::AziaMaDigestao, 3.0, Symptom),
    ("comi demais", C::AziaMaDigestao, 2.0, Symptom),
    (
        "exagerei ~ comida|feijoada|churrasco",
        C::AziaMaDigestao,
        2.0,
        Symptom,
    ),
    ("comida pesada", C::AziaMaDigestao, 2.0, Symptom),
    ("ressaca", C::AziaMaDigestao, 2.0, Symptom),
    ("antiacido*", C::AziaMaDigestao, 3.0, Need),
    ("sal de fruta|frutas", C::AziaMaDigestao, 3.0, Need),
    // gases
    ("gases|gas", C::Gases, 4.0, Symptom),
    (
        "barriga ~ inchada|estufada|estufando|inchando",
        C::Gases,
        3.0,
        Symptom,
    ),
    ("estufad*", C::Gases, 2.0, Symptom),
    ("flatulencia", C::Gases, 4.0, Symptom),
    ("arrot*", C::Gases, 2.0, Symptom),
    ("pum|puns", C::Gases, 2.0, Symptom),
    (
        "colica|colicas de|do|no bebe|nenem|nene|gases",
        C::Gases,
        4.0,
        Symptom,
    ),
    // diarreia_hidratacao
    (
        "diarreia|disenteria|caganeira",
        C::DiarreiaHidratacao,
        4.0,
        Symptom,
    ),
    (
        "intestino|barriga solto|solta",
        C::DiarreiaHidratacao,
        4.0,
        Symptom,
    ),
    (
        "fezes|coco moles|mole|liquidas|liquido|aguado|aguadas",
        C::DiarreiaHidratacao,
        4.0,
        Symptom,
    ),
    (
        "correndo pro|para o banheiro",
        C::DiarreiaHidratacao,
        2.0,
        Symptom,
    ),
    ("desidrat*", C::DiarreiaHidratacao, 3.0, Symptom),
    ("virose", C::DiarreiaHidratacao, 2.0, Symptom),
    ("dor de barriga", C::DiarreiaHidratacao, 1.5, Symptom),
    (
        "soro ~ reidratacao|caseiro",
        C::DiarreiaHidratacao,
        3.0,
        Need,
    ),
    ("reidrat*", C::DiarreiaHidratacao, 3.0, Need),
    // prisao_de_ventre
    ("prisao de ventre", C::PrisaoDeVentre, 4.0, Symptom),
    ("intestino preso", C::PrisaoDeVentre, 4.0, Symptom),
    (
        "constipacao|constipada|constipado",
        C::PrisaoDeVentre,
        3.0,
        Symptom,
    ),
    (
        "nao consigo|consegue evacuar",
        C::PrisaoDeVentre,
        4.0,
        Symptom,
    ),
    (
        "nao consigo|consegue fazer coco",
        C::PrisaoDeVentre,
        4.0,
        Symptom,
    ),
    ("sem evacuar", C::PrisaoDeVentre, 3.0, Symptom),
    ("sem fazer coco", C::PrisaoDeVentre, 3.0, Symptom),
    ("sem ir ao|no banheiro", C::PrisaoDeVentre, 2.0, Symptom),
    (
        "fezes|coco ressecad*|duro|duras|durinho",
        C::PrisaoDeVentre,
        3.0,
        Symptom,
    ),
    ("laxante*", C::PrisaoDeVentre, 4.0, Need),
    // nausea_enjoo
    ("enjo*", C::NauseaEnjoo, 4.0, Symptom),
    ("nausea*", C::NauseaEnjoo, 4.0, Symptom),
    ("vontade de vomitar", C::NauseaEnjoo, 4.0, Symptom),
    ("vomit*", C::NauseaEnjoo, 2.5, Symptom),
    ("estomago embrulhado", C::NauseaEnjoo, 2.0, Symptom),
    ("embrulh*", C::NauseaEnjoo, 2.0, Symptom),
    // dor_muscular_contusao
    (
        "dor|dores muscular|musculares",
        C::DorMuscularContusao,
        4.0,
        Symptom,
    ),
    (
        "dor|dores ~ costas|coluna|lombar|ombro|ombros|pescoco|joelho|perna|pernas|musculo|musculos|braco",
        C::DorMuscularContusao,
        3.5,
        Symptom,
    ),
    (
        "costas ~ doendo|travada|travou",
        C::DorMuscularContusao,
        3.5,
        Symptom,
    ),
    ("torcicolo", C::DorMuscularContusao, 4.0, Symptom),
    (
        "torci|torceu|torcao|entorse|distensao",
        C::DorMuscularContusao,
        3.0,
        Symptom,
    ),
    (
        "pancada|batida|bati|bateu|contusao",
        C::DorMuscularContusao,
        3.0,
        Symptom,
    ),
    (
        "hematoma|roxo|roxa|roxao",
        C::DorMuscularContusao,
        3.0,
        Symptom,
    ),
    ("mau jeito", C::DorMuscularContusao, 3.0, Symptom),
    ("lombalgia", C::DorMuscularContusao, 3.0, Symptom),
    ("academia", C::DorMuscularContusao, 1.0, Symptom),
    ("relaxante muscular", C::DorMuscularContusao, 4.0, Need),
    // pele_assadura
    ("assadura*|assado|assada", C::PeleAssadura, 4.0, Symptom),
    ("frieira*|micose*|impinge*", C::PeleAssadura, 3.5, Symptom),
    ("pano branco", C::PeleAssadura, 3.5, Symptom),
    ("pe de atleta", C::PeleAssadura, 4.0, Symptom),
    (
        "pele ~ ressecada|seca|rachada|irritada|descamando",
        C::PeleAssadura,
        3.0,
        Symptom,
    ),
    ("rachadura*|rachado|rachados", C::PeleAssadura, 2.0, Symptom),
    ("brotoeja*", C::PeleAssadura, 3.0, Symptom),
    (
        "coceira|cocando ~ virilha|pe|pes|dedos",
        C::PeleAssadura,
        4.0,
        Symptom,
    ),
    ("fralda", C::PeleAssadura, 1.5, Symptom),
    // ferimento_curativo
    (
        "machuc*|ferida|feridas|feridinha|ferimento*",
        C::FerimentoCurativo,
        3.0,
        Symptom,
    ),
    (
        "corte|cortei|cortou|cortado|cortada",
        C::FerimentoCurativo,
        3.0,
        Symptom,
    ),
    (
        "ralad*|ralei|ralou|esfolad*|arranhao|arranhou",
        C::FerimentoCurativo,
        3.0,
        Symptom,
    ),
    (
        "queimadura|queimei|queimou",
        C::FerimentoCurativo,
        2.5,
        Symptom,
    ),
    ("bolha|bolhas", C::FerimentoCurativo, 2.0, Symptom),
    (
        "curativo*|bandaid|esparadrapo|gaze",
        C::FerimentoCurativo,
        3.0,
        Need,
    ),
    ("band aid", C::FerimentoCurativo, 3.0, Need),
    ("antissept*", C::FerimentoCurativo, 3.0, Need),
    ("anti sept*", C::FerimentoCurativo, 3.0, Need),
    // olhos
    (
        "olho|olhos|vista ~ vermelh*|irritad*|seco|secos|ardendo|ardencia|cocando|cansad*|lacrimejando",
        C::Olhos,
        4.0,
        Symptom,
    ),
    ("ardencia|coceira ~ olho|olhos", C::Olhos, 4.0, Symptom),
    ("conjuntivite", C::Olhos, 3.0, Symptom),
    ("colirio*", C::Olhos, 4.0, Need),
    ("lagrima artificial", C::Olhos, 4.0, Need),
    // protetor_solar
    (
        "protetor|filtro|bloqueador solar",
        C::ProtetorSolar,
        4.0,
        Need,
    ),
    ("protetor|bloqueador", C::ProtetorSolar, 2.0, Need),
    ("fps", C::ProtetorSolar, 3.0, Need),
    ("praia|piscina", C::ProtetorSolar, 2.0, Need),
    ("pegar|tomar sol", C::ProtetorSolar, 2.0, Need),
    ("queimar no sol", C::ProtetorSolar, 3.0, Need),
    // repelente
    ("repelente*", C::Repelente, 4.0, Need),
    (
        "mosquito*|pernilongo*|muricoca*|borrachudo*|mutuca*",
        C::Repelente,
        3.0,
        Need,
    ),
    ("pegar dengue|zika|chikungunya", C::Repelente, 2.0, Need),
    // vitaminas_suplementos
    (
        "vitamina|vitaminas|polivitaminico*|multivitaminico*",
        C::VitaminasSuplementos,
        3.0,
        Need,
    ),
    ("complexo b", C::VitaminasSuplementos, 4.0, Need),
    ("suplemento*", C::VitaminasSuplementos, 3.0, Need),
    ("imunidade", C::VitaminasSuplementos, 3.0, Symptom),
    (
        "cansaco|cansado|cansada|exausto|exausta",
        C::VitaminasSuplementos,
        2.0,
        Symptom,
    ),
    (
        "fraqueza|indisposto|indisposta|indisposicao|desanimo",
        C::VitaminasSuplementos,
        2.0,
        Symptom,
    ),
    ("falta de energia", C::VitaminasSuplementos, 3.0, Symptom),
    // higiene_bucal
    ("mau halito", C::HigieneBucal, 4.0, Symptom),
    ("bafo|halito", C::HigieneBucal, 3.0, Symptom),
    (
        "gengiva ~ sangrando|sangra|inflamada|doendo",
        C::HigieneBucal,
        3.5,
        Symptom,
    ),
    (
        "dente|dentes ~ sensivel|sensiveis|sensibilidade",
        C::HigieneBucal,
        4.0,
        Symptom,
    ),
    (
        "sensibilidade ~ dente|dentes|gelado",
        C::HigieneBucal,
        4.0,
        Symptom,
    ),
    ("afta|aftas", C::HigieneBucal, 3.0, Symptom),
    ("enxaguante*", C::HigieneBucal, 3.0, Need),
    ("fio|creme dental", C::HigieneBucal, 3.0, Need),
    ("pasta|escova de dente", C::HigieneBucal, 3.0, Need),
];

/// Prescription-only drugs and drug classes customers ask for (normalized).
pub(crate) const PRESCRIPTION_ONLY_TERMS: &[&str] = &[
    "antibiotico*",
    "amoxicilina|amoxilina|amoxil|azitromicina|cefalexina|ciprofloxacino|ciprofloxacina|levofloxacino|clavulanato|penicilina|benzetacil|sulfametoxazol|bactrim|doxiciclina|clindamicina|metronidazol|nitrofurantoina",
    "clonazepam|rivotril|diazepam|alprazolam|lorazepam|bromazepam|zolpidem",
    "tarja preta",
    "remedio controlado",
    "sertralina|fluoxetina|escitalopram|paroxetina|amitriptilina|antidepressivo*",
    "calmante* forte",
    "sibutramina|ozempic|semaglutida|mounjaro|tirzepatida",
    "sildenafila|viagra|tadalafila|cialis",
    "prednisona|prednisolona|dexametasona|corticoide*",
    "nimesulida|cetoprofeno|tramadol|codeina",
    "losartana|enalapril|captopril|anlodipino|atenolol|metformina",
    "anticoncepciona*",
    "pilula|remedio do dia seguinte",
    "metoclopramida|plasil|ondansetrona|vonau",
];

/// Words saying the person already takes the drug (so it is context, not a request).
pub(crate) const CURRENT_USE_WORDS: &[&str] = &[
    "tomo",
    "toma",
    "tomando",
    "uso",
    "usa",
    "usando",
    "tomei",
    "tomou",
    "tomava",
    "usava",
    "tratamento",
    "tomamos",
    "tomam",
];

/// "No prescription" phrases.
pub(crate) const NO_PRESCRIPTION_TERMS: &[&str] = &[
    "sem ~ receita|prescricao|pedido",
    "nao tenho|tem|trouxe|trouxe|peguei ~ receita",
    "esqueci|perdi ~ receita",
    "nao precisa ~ receita",
    "receita vencida",
];

/// "Prescription present" phrases (checked unless negated or a no-prescription phrase).
pub(crate) const PRESCRIPTION_TERMS: &[&str] = &[
    "receita|receitas|receituario|prescricao",
    "pedido medico",
    "medico|medica|doutor|doutora|pediatra|dentista|ginecologista passou|receitou|prescreveu|indicou|mandou",
];

/// (pattern, condition). Matched with negation.
pub(crate) const CONDITION_TERMS: &[(&str, Condition)] = &[
    ("anticoagulante*", Condition::Anticoagulante),
    (
        "varfarina|marevan|coumadin|xarelto|rivaroxabana|eliquis|apixabana|pradaxa|dabigatrana|clopidogrel|plavix",
        Condition::Anticoagulante,
    ),
    ("afinar ~ sangue", Condition::Anticoagulante),
    ("aas|aspirina infantil", Condition::Anticoagulante),
    ("pressao ~ alta", Condition::Hipertensao),
    ("hipertens*", Condition::Hipertensao),
    ("remedio ~ pressao", Condition::Hipertensao),
    ("problema de pressao", Condition::Hipertensao),
    ("pra|para|da pressao", Condition::Hipertensao),
    (
        "losartana|enalapril|captopril|anlodipino|atenolol|hidroclorotiazida|propranolol",
        Condition::Hipertensao,
    ),
    ("suspeita de dengue", Condition::Dengue),
    ("com|ser|seja|e|tive|deu dengue", Condition::Dengue),
    ("gastrite|ulcera", Condition::GastriteUlcera),
    ("asma|asmatico|asmatica|bronquite", Condition::Asma),
    ("diabet*", Condition::Diabetes),
    ("glicose|acucar alta|alto", Condition::Diabetes),
    ("glaucoma", Condition::Glaucoma),
    (
        "problema|doenca|insuficiencia ~ rim|rins|renal",
        Condition::DoencaRenal,
    ),
    ("pedra|calculo ~ rim|rins|renal", Condition::DoencaRenal),
    ("dialise|hemodialise", Condition::DoencaRenal),
    ("problema|doenca ~ figado", Condition::DoencaHepatica),
    ("hepatite|cirrose", Condition::DoencaHepatica),
];

/// Allergy cue words; what follows (a/ao/à/de/com) is the allergen.
pub(crate) const ALLERGY_CUES: &[&str] = &["alergia", "alergico", "alergica", "alergicos"];

/// "Cannot take X" cues (two tokens) that also name an allergen or intolerance.
pub(crate) const CANNOT_TAKE_CUES: &[(&str, &str)] = &[
    ("posso", "tomar"),
    ("pode", "tomar"),
    ("posso", "usar"),
    ("pode", "usar"),
];

/// Allergen aliases: what the customer says → ingredient words to exclude (normalized).
pub(crate) const ALLERGEN_ALIASES: &[(&str, &[&str])] = &[
    ("dipirona", &["dipirona"]),
    ("novalgina", &["dipirona"]),
    ("metamizol", &["dipirona"]),
    ("paracetamol", &["paracetamol"]),
    ("tylenol", &["paracetamol"]),
    ("ibuprofeno", &["ibuprofeno"]),
    ("advil", &["ibuprofeno"]),
    ("alivium", &["ibuprofeno"]),
    ("aas", &["acido acetilsalicilico", "salicilato"]),
    ("aspirina", &["acido acetilsalicilico", "salicilato"]),
    ("acido", &["acido acetilsalicilico", "salicilato"]),
    ("salicilato", &["acido acetilsalicilico", "salicilato"]),
    (
        "anti",
        &[
            "ibuprofeno",
            "naproxeno",
            "diclofenaco",
            "acido acetilsalicilico",
            "salicilato",
            "benzidamina",
        ],
    ),
    (
        "antiinflamatorio",
        &[
            "ibuprofeno",
            "naproxeno",
            "diclofenaco",
            "acido acetilsalicilico",
            "salicilato",
            "benzidamina",
        ],
    ),
    (
        "antiinflamatorios",
        &[
            "ibuprofeno",
            "naproxeno",
            "diclofenaco",
            "acido acetilsalicilico",
            "salicilato",
            "benzidamina",
        ],
    ),
    ("diclofenaco", &["diclofenaco"]),
    ("naproxeno", &["naproxeno"]),
    ("iodo", &["iodo"]),
    ("benzocaina", &["benzocaina"]),
    ("anestesico", &["benzocaina"]),
    ("loratadina", &["loratadina"]),
    ("clorfeniramina", &["clorfeniramina"]),
    ("dimenidrinato", &["dimenidrinato"]),
    ("dramin", &["dimenidrinato"]),
    ("simeticona", &["simeticona"]),
    ("cafeina", &["cafeina"]),
    ("guaco", &["guaco"]),
    ("clorexidina", &["clorexidina"]),
    ("neomicina", &["neomicina"]),
    ("lactose", &[]),
    ("penicilina", &[]),
    ("amoxicilina", &[]),
    ("sulfa", &[]),
    ("corante", &[]),
    ("remedio", &[]),
    ("medicamento", &[]),
];

/// Child nouns (the patient is a child when no age is given).
pub(crate) const CHILD_WORDS: &[&str] = &[
    "filho", "filha", "filhos", "crianca", "criancas", "menino", "menina", "neto", "neta",
    "sobrinho", "sobrinha", "infantil", "pequeno", "pequena",
];

/// Baby nouns.
pub(crate) const BABY_WORDS: &[&str] = &[
    "bebe",
    "bebezinho",
    "bebezinha",
    "nenem",
    "nene",
    "nenezinho",
    "neném",
    "lactente",
];

/// Pregnancy and breastfeeding phrases.
pub(crate) const PREGNANCY_TERMS: &[&str] = &[
    "gravida|gestante|gravidez|gestacao|gravidinha",
    "esperando ~ bebe|nenem|filho|filha",
    "amamentando|amamento|lactante",
];

/// Greetings, thanks, prices and payment.
pub(crate) const SMALL_TALK_TERMS: &[&str] = &[
    "bom dia|tarde|noite",
    "boa tarde|noite",
    "oi|ola|opa|obrigad*|valeu|tchau|brigad*",
    "tudo bem|bom|certo|joia",
    "quanto ~ custa|custam|fica|sai|e|deu|da|ta|esta",
    "preco|precos|valor|desconto|promocao",
    "cartao|credito|debito|pix|dinheiro|troco|parcel*|pagar|pago|pagamento|maquininha",
    "nota fiscal",
    "cpf|cadastro|fidelidade|sacola|sacolinha",
    "ate mais|logo|amanha",
    "so|era isso",
    "mais nada",
    "e so",
    "chuva|calor|frio|jogo|futebol|trabalho|transito",
];

/// Follow-up cues: the newest utterance refers back to the symptoms already mentioned.
pub(crate) const FOLLOW_UP_TERMS: &[&str] = &[
    "outro|outra|outros|outras|alternativa|opcao",
    "e pra|para",
    "serve pra|para",
    "posso|pode tomar|usar|dar",
    "tem algum|alguma|algo",
    "mais forte|fraco|barato",
    "generico|similar",
];

/// Short affirmative answers to a probing question.
pub(crate) const AFFIRMATIVE_TERMS: &[&str] = &[
    "sim|tenho|estou|to|tou|isso|exatamente|bastante|muito|demais|aham|uhum|tive|teve|tem",
    "um pouco",
];
