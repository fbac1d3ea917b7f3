//! The rules advisor's vocabulary: symptom and need phrases per category, prescription-only
//! drugs (a prescription being filled), conditions, allergens, and small-talk markers. Pattern
//! syntax is described in [`crate::spoken`]; red flags live in the red-flag catalogue
//! (`data/red_flags.json`), not here.

use crate::catalog::Condition;

/// Whether a phrase describes a symptom or just names a kind of product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// "dor de cabeça", "tosse": an opportunity on its own.
    Symptom,
    /// "protetor solar", "vitamina": a product type; not an opportunity during payment talk.
    Need,
}

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
    "comecei",
    "comecou",
    "iniciei",
    "iniciou",
    "terminei",
    "terminou",
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

/// Closing talk: thanks, payment, goodbye. Said as a statement after a complaint, it ends the
/// opportunity ("obrigado", "vai ser no débito"); asked, it does not ("quanto fica?").
pub(crate) const CLOSING_TERMS: &[&str] = &[
    "obrigad*|brigad*|valeu|agradec*|tchau|falou",
    "ate mais|logo|amanha|a_proxima",
    "cartao|credito|debito|pix|dinheiro|troco|parcel*|pagar|pago|pagamento|maquininha|conta",
    "nota fiscal",
    "cpf|cadastro|fidelidade|sacola|sacolinha",
    "so|era|e isso",
    "e so",
    "mais nada",
    "bom dia|tarde|noite",
    "boa tarde|noite",
];

/// A question or request to the pharmacist: never small talk, never cancels a complaint.
pub(crate) const ADVICE_REQUEST_TERMS: &[&str] = &[
    "recomenda|recomendaria|indica|indicaria|sugere|sugeriria|aconselha|aconselharia|sugestao|indicacao|conselho",
    "que ~ e_bom|bom|serve|resolve|funciona|adianta|faco|fazer|tomo|tomar|uso|usar|passo|passar|dou|dar|posso|devo",
    "qual|quais ~ melhor|bom|boa|indica|recomenda|serve",
    "nao ~ muito ~ caro|cara",
    "mais ~ barato|barata|em_conta",
    "generico|similar",
    "tem ~ alguma_coisa|algo|algum|alguma|remedio",
    "alguma_coisa|algo ~ para|bom",
    "me ~ ajuda|ajudar|ajude|indica|recomenda|da|ve|arruma",
    "tem como ~ ajudar|resolver|me",
    "da para ~ ajudar|resolver|me",
    "o que voce acha",
    "serve ~ qualquer",
    "pode ser",
];

/// Words that ask for something to buy ("queria", "tem", "me vê").
pub(crate) const REQUEST_TERMS: &[&str] = &[
    "queria|quero|gostaria|preciso|precisava|procuro|procurando|vende|vendem|vendendo",
    "tem|tens|teria|temos|tem_ai|trabalham",
    "me ~ ve|da|arruma|arranja|passa|indica|recomenda|vende|consegue",
    "um|uma|uns|umas ~ para",
    "qual|quais",
    "e para",
];

/// Price talk: "quanto custa", "qual o preço". Asked after a complaint, it is about the
/// complaint's product.
pub(crate) const PRICE_TERMS: &[&str] = &[
    "quanto|preco|precos|valor|custa|custam|custando|sai_por|ta_quanto|esta_quanto",
    "mais|menos ~ barato|barata|baratos|baratas|caro|cara|caros|caras",
];

/// What makes a child or baby the patient rather than someone mentioned: what follows the
/// word ("meu filho tá com…", "o bebê de 2 meses", "meu filho caiu").
pub(crate) const PATIENT_STATE_WORDS: &[&str] = &[
    "esta",
    "estava",
    "estao",
    "tem",
    "teve",
    "tinha",
    "ficou",
    "fica",
    "pegou",
    "com",
    "caiu",
    "cai",
    "tomou",
    "engoliu",
    "bebeu",
    "comeu",
    "reclamando",
    "reclama",
    "reclamou",
    "chora",
    "chorando",
    "enjoa",
    "enjoou",
    "vomita",
    "vomitou",
    "vomitando",
    "acordou",
    "de",
    "anda",
    "nao",
    "vive",
    "sente",
    "sentiu",
    "machucou",
    "bateu",
    "ralou",
    "cortou",
    "queimou",
    "torceu",
    "precisa",
    "usa",
    "toma",
    "tossindo",
    "espirrando",
    "cocando",
    "se",
];

/// Words before a child word that make the child the one it is for ("pro meu filho", "do bebê").
pub(crate) const FOR_WORDS: &[&str] = &["para", "do", "da", "pro", "pra", "dos", "das"];

/// Remembering or reporting on a product rather than asking for it (imperfect verbs in "-ava"
/// count too, see [`NARRATIVE_NOT`]).
pub(crate) const NARRATIVE_TERMS: &[&str] = &[
    "funcionou|funcionava|adiantou|resolveu|ajudou|serviu|usei|comprei|gostei|adorei|tomei_aquele|deu_certo",
];

/// Demonstratives before a product: one already in hand ("vou levar esse xarope"), not a need.
pub(crate) const CHOSEN_WORDS: &[&str] =
    &["esse", "essa", "esses", "essas", "este", "estes", "estas"];

/// Words in "-ava" that are not a remembered past ("estava", "precisava").
pub(crate) const NARRATIVE_NOT: &[&str] = &[
    "estava",
    "estavam",
    "precisava",
    "precisavam",
    "achava",
    "trava",
    "lava",
    "grava",
    "brava",
    "cava",
    "oitava",
    "nova",
    "chava",
];

/// A complaint that is over ("já passou", "já tá boa", "sarou").
pub(crate) const RESOLVED_TERMS: &[&str] = &[
    "ja ~ passou|melhorou|sarou|curou|sumiu|foi_embora|parou",
    "ja ~ esta|estou|ficou|fiquei ~ bom|boa|melhor|bem|otimo|otima|curado|curada|100_por_cento|novo|nova|zerado|zerada",
    "melhorando|sarou|curou|sarei|curei|sarando",
    "passou ~ ja",
    "acordei|acordou|levantei|levantou ~ novo|nova|otimo|otima|bem|zerado|zerada",
    "ja ~ voltou|voltaram|resolveu|resolveram",
    "sumiu|sumiram|cicatrizou",
    "ja ~ esta|ficou ~ seco|seca|cicatrizado|cicatrizada|fechado|fechada",
    "era ~ so|apenas",
    "foi ~ bobeira|bobagem|besteira",
    "era ~ gases|muscular|ansiedade|virose|estresse ~ mesmo",
    "deu ~ tudo ~ normal|certo",
    "parou|passou ~~ em|depois_de ~ #1-10 ~ minuto|minutos|segundos",
    // "mas passou rapidinho", "passou sozinha", "passou em dois dias".
    "passou ~ rapidinho|rapido|logo|sozinha|sozinho",
    "passou ~~ em|depois_de ~ #1-30 ~ dia|dias",
    "ainda_bem_que_passou",
    "todo_mundo ~ ficou|esta|ficaram|estao ~ bem|bom|otimo",
    "ja ~ tirou|tirei|tiramos ~ os ~ pontos",
    "pontos ~~ ja ~ ate ~ tirou|tirei|tiramos|tiraram",
    "ja ~ tinha ~ sumido|passado",
];

/// A complaint placed in the past ("teve catapora ano passado", "quando era criança").
pub(crate) const PAST_TERMS: &[&str] = &[
    "ano|mes|semana ~ passado|passada|retrasado|retrasada",
    "anos|meses ~ atras",
    "faz ~ muito ~ tempo",
    "quando ~ era ~ crianca|pequeno|pequena|novo|nova",
    "antigamente",
    "na|da ~ minha|nossa ~ epoca|infancia|juventude",
    // "faz uns três meses", "no carnaval passado", "lá em dezembro", "na virada do ano".
    "faz|ha ~ #1-99|uns|umas ~ mes|meses|ano|anos",
    "carnaval|natal|verao|inverno|ferias|pascoa ~ passado|passada|retrasado|retrasada",
    "em ~ janeiro|fevereiro|marco|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro",
    "na ~ virada ~ do ~ ano",
    "no|do ~ meu|nosso ~ tempo",
];

/// Words that make a complaint the topic, not a complaint ("vacinação da gripe").
pub(crate) const TOPIC_WORDS: &[&str] = &["vacin", "campanha", "exame", "teste", "palestra"];

/// Words before "da/do/de" + complaint that say it is over ("melhorou da gripe").
pub(crate) const RECOVERED_WORDS: &[&str] = &[
    "melhorou",
    "melhorei",
    "sarou",
    "sarei",
    "curou",
    "curei",
    "recuperou",
    "recuperei",
    "livrou",
    "livrei",
    "curado",
    "curada",
    "sarado",
    "sarada",
    "recuperado",
    "recuperada",
];

/// Verbs before "bom/boa/melhor da …" that make it a recovery ("tá bom da diarreia").
pub(crate) const RECOVERED_STATE_VERBS: &[&str] = &[
    "esta", "estou", "ficou", "fiquei", "ja", "ta", "sao", "estao",
];

/// Diseases a vaccination, campaign or test can be about ("a vacina da gripe").
pub(crate) const TOPIC_DISEASES: &[&str] = &[
    "covid",
    "corona",
    "gripe",
    "influenza",
    "h1n1",
    "dengue",
    "hpv",
    "sarampo",
    "febre",
    "amarela",
    "hepatite",
    "tetano",
    "meningite",
    "pneumonia",
    "pneumococo",
    "catapora",
    "rotavirus",
    "polio",
    "coqueluche",
    "caxumba",
    "rubeola",
    "zika",
    "chikungunya",
    "herpes",
    "alergia",
    "gravidez",
    "glicose",
    "diabetes",
];

/// What may stand between a topic word and the disease it governs: links and other diseases
/// ("a vacina da covid e a da gripe").
pub(crate) const TOPIC_LINKS: &[&str] = &[
    "de",
    "da",
    "do",
    "das",
    "dos",
    "a",
    "o",
    "as",
    "os",
    "e",
    "contra",
    "para",
    "anual",
    "nova",
    "reforco",
    "covid",
    "corona",
    "gripe",
    "influenza",
    "h1n1",
    "dengue",
    "hpv",
    "sarampo",
    "febre",
    "amarela",
    "hepatite",
    "tetano",
    "meningite",
    "pneumonia",
    "pneumococo",
    "catapora",
    "rotavirus",
    "polio",
    "coqueluche",
    "caxumba",
    "rubeola",
    "zika",
    "chikungunya",
];

/// Words that, between a complaint and "já passou", show the recovery is someone else's ("tô com
/// dor de cabeça, meu filho já melhorou da tosse").
pub(crate) const WHOSE_WORDS: &[&str] = &[
    "meu", "minha", "meus", "minhas", "seu", "sua", "teu", "tua", "dele", "dela", "nosso",
];

/// Words that, before "do/da/de" + a complaint, make it the cause of what is described ("tosse
/// depois do resfriado", "por causa da gripe", "desde a virose").
pub(crate) const CAUSE_WORDS: &[&str] = &["depois", "apos", "causa", "desde", "pos"];

/// Verbs whose object is carried, not treated ("fui pegar o menino no colo").
pub(crate) const CARRY_VERBS: &[&str] = &[
    "pegar",
    "peguei",
    "pegando",
    "carregar",
    "carregando",
    "carreguei",
    "levar",
    "levando",
    "levei",
    "buscar",
    "buscando",
    "busquei",
    "segurar",
    "segurando",
    "segurei",
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
