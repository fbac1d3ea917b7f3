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

/// What a told episode's suicide attempt or depression becomes when the episode is blanked: no
/// longer a complaint, still a risk. The red-flag catalogue reads it as context for a warning
/// sign said now ("teve uma tentativa mês passado … ontem disse que da próxima vez não vai
/// errar"); one word no speech produces, so no trigger fires on it alone.
pub(crate) const TOLD_RISK: &str = "historicoderisco";

/// Words of a told episode kept as [`TOLD_RISK`].
const RISK_IN_HISTORY: &[&str] = &[
    "suicidio",
    "tentativa",
    "depressao",
    "deprimido",
    "deprimida",
    "overdose",
];

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
    // A joke at a price: "vou ter um infarto com esse preço", "esse calor tá de desmaiar".
    "vou|vai|ia ~ ter ~ um|uma ~ infarto|treco|troco|ataque|piripaque ~~ preco|conta|fatura|\
     valor|fila|brincadeira",
    // "de" right before the verb: "suor frio e sensação de que vou desmaiar" is a sign.
    "calor|frio|preco|fila|conta|cansaco ~~ de_desmaiar|de_morrer|de_matar|de_enlouquecer",
    // Someone who "is" an illness: "esse meu sobrinho é uma alergia".
    "esse|essa|ele|ela|sobrinho|sobrinha|cunhado|cunhada|sogra|sogro|chefe|vizinho|vizinha ~~ e ~ um|uma ~ alergia|doenca|praga|peste",
    "me ~ da|dar|deu|dao ~ azia|nojo|enjoo ~~ jogo|time|chefe|politica|governo|transito|noticia",
    "time|jogo|chefe|politica|governo|transito ~~ me ~ da|dar|deu|dao ~ azia|nojo|enjoo",
    // Hair or nails dyed: "o cabelo roxo da minha filha".
    "cabelo|cabelos|esmalte|batom|tinta|mecha|mechas ~~ roxo|roxa|azul|verde|rosa",
    // A chronic medicine and what it prevents: "o remédio que minha mãe toma desde o infarto",
    // "pra ele não ter outro AVC".
    "toma|tomo|tomava|usa ~~ desde ~ o|a ~ infarto|avc|derrame|trombose|cirurgia|cateterismo|\
     transplante",
    "para|pra ~ nao ~ ter|dar ~ outro|outra|mais|de_novo ~~ avc|derrame|infarto|crise|crises|\
     convulsao|trombose",
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
     morri|morreu|passei_mal|roxo|roxa|vermelho|vermelha ~~ \
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
    // "Bater" with a thing for its object is not a blow to the body: a car crashed, a deadline
    // met, a door slammed, a chat had ("bati o carro", "bateu a meta", "bater um papo");
    // "bati o carro e bati a cabeça" keeps its second half.
    "bati|bateu|bater|batemos|bateram|batendo|batia o|a|no|na|num|numa|com_o|com_a|um|uma \
     carro|carros|moto|caminhao|onibus|ponto|porta|portao|meta|metas|recorde|papo|papinho|\
     foto|fotos|bolo|martelo|cartao|sino|panela|vitamina|liquidificador",
    "bati|bateu|bater|batemos|bateram palma|palmas|boca|perna_na_rua",
    "bateu|bate|batia uma|um saudade|fome|preguica|vontade|nostalgia|bad",
    // A price or a bill that "takes the breath away"; breath lost running and got back.
    "preco|precos|conta|fatura|valor|boleto|gasolina ~~ deixou|deixa|me_deixou ~~ sem_ar|sem_folego",
    "sem_ar|sem_folego|falta_de_ar ~~ mas|e ~ ja ~ recuperei|recuperou|passou|voltou|melhorou|\
     normalizou",
    // A benign, explained colour: "o sulfato ferroso deixa o cocô escuro".
    "ferro|sulfato_ferroso|ferroso|vitamina|vitaminas|beterraba|remedio ~~ deixa|deixou|deixando|\
     fica|ficou ~~ coco|fezes|xixi|urina ~~ escuro|escura|preto|preta|vermelho|vermelha",
    // Preparedness for an allergy, not a reaction: "anda sempre com a caneta de adrenalina".
    "anda|leva|carrega|tem ~~ sempre ~~ caneta|epipen|adrenalina",
    // Emotion closing the throat or the chest.
    "garganta|peito|coracao ~~ fechou|apertou|aperta|fecha ~~ de ~ emocao|saudade|tristeza|choro|\
     nervoso|alegria",
    // Plants and similes: "folhas murchas igual criança desidratada".
    "igual|que_nem|feito|parece|parecendo|como ~ uma|um ~ crianca|bebe|pessoa ~ desidratad*|\
     doente|com_febre",
    "planta|plantas|samambaia|folha|folhas|flor|flores|jardim|horta|grama ~~ murcha*|desidratad*|\
     doente",
    // A drill or a pretence: "no simulado tinha gente fingindo que tava sem ar".
    "fingindo|fingiu|fingir|fingia|simulado|simulacao|encenando|encenou|boneco|manequim|treinou|\
     treinamos|treinando ~~ sem_ar|desmai*|passando_mal|passar_mal|morto|morta|ferido|ferida|\
     infarto|engasg*|se_debatendo|debatendo|convuls*",
    "simulado|simulacao ~~ vitima|vitimas|paciente ~~ hemorragia|sangramento|sangrando|\
     queimad*|infarto|desmai*|convuls*|sem_ar|engasg*|afogad*",
    // A fear of what has never happened: "tenho medo de ficar sem ar no avião, mas nunca
    // aconteceu" (the fear only; what follows stays).
    "medo|pavor|panico ~ de ~ ficar|ter|passar|sentir|cair|desmaiar ~~ sem_ar|falta_de_ar|mal|\
     infarto|avc|derrame|convuls*|desmai*|bater_a_cabeca",
    // What only seemed about to happen, told in the past: "parecia que ia ficar sem ar" (not
    // "parece que vai desmaiar", a worry about now).
    "parecia ~ que ~ ia|iria ~~ sem_ar|sem_folego|ficar_sem_ar",
    "parecia ~ que ~ ia|iria ~~ ficar|morrer|desmaiar|infartar|explodir|cair",
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
     vasos|caixa_d_agua|caixas_d_agua|vigilancia|bebedouro|bebedouros|calha|calhas <~> mosquito|\
     mosquitos|aedes",
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
    // Back to life after it: "o narrador voltou a trabalhar depois do AVC".
    "voltou|voltaram|volta ~ a|para|pro ~ trabalhar|trabalho|andar|falar|dirigir|jogar|cantar|\
     narrar|servico|escola|treinar ~~ depois ~ do|da|de ~ avc|derrame|infarto|acidente|cirurgia|\
     queda|dengue|internacao",
    "depois ~ do|da|de ~ avc|derrame|infarto|acidente|cirurgia|queda ~~ voltou|voltaram ~ a|para|\
     pro ~ trabalhar|trabalho|andar|falar|dirigir|jogar|servico|escola",
    // Rehabilitation under way: "teve derrame; a gente faz os exercícios da fono".
    "derrame|avc|infarto|acidente ~~ fono|fonoaudiolog*|fisioterapia|fisio|reabilitacao|\
     exercicios_da_fono",
    "fono|fonoaudiolog*|fisioterapia|reabilitacao ~~ derrame|avc|infarto|acidente",
    // A cause of death in the statistics, a condolence: "infarto é a maior causa de morte",
    // "meus sentimentos pelo seu Antônio; infarto, né?".
    "infarto|infartos|avc|avcs|derrame|derrames|suicidio|suicidios|dengue|afogamento|afogamentos|\
     queda|quedas|intoxicac*|acidente|acidentes ~~ e|sao|foi ~ a|o|uma|um ~ maior|maiores|\
     principal|principais|segunda|terceira ~ causa|causas",
    "sentimentos|pesames|condolencias ~~ infarto|avc|derrame|cancer|acidente|afogamento|\
     suicidio|covid|dengue",
    // A risk in the figures: "o capacete reduz em noventa por cento o risco de lesão na cabeça".
    "reduz|reduzem|diminui|diminuem|aumenta|aumentam|evita|evitam ~~ risco|riscos|chance|chances",
    // A figure of speech about learning: "bateu a cabeça na parede pra entender fração".
    "bateu|bati|batendo|bater ~ a ~ cabeca ~~ para|pra ~ entender|aprender|resolver|decorar",
    // "tô batendo cabeça com a declaração": struggling with something (no article: the
    // idiom).
    "batendo|bater|bato|batemos cabeca com|para|pra|tentando",
    // The service's name, not a call for it: "o cartaz com o número do Disque-Intoxicação".
    "disque_intoxicacao|disk_intoxicacao|disque_saude",
    "centro|central|servico|numero|telefone|plantao ~ de|do|da ~ intoxicacao|intoxicacoes|\
     informacao_toxicologica|informacoes_toxicologicas|assistencia_toxicologica",
    // Child-proofing: "protetor de tomada".
    "protetor|protetores ~ de ~ tomada|tomadas|quina|quinas",
    // The vet's work and the vet's word: "sou veterinária e atendo gato que lambeu desinfetante",
    // "o veterinário olhou e disse que foi só um cortezinho".
    "sou ~ veterinari* ~~ atendo|atende|cuido|trato ~~ gato|gatos|cachorro|cachorros|bicho|bichos|\
     animais|cavalo|cavalos ~~ lambeu|lambe|comeu|come|bebeu|engoliu|desinfetante|veneno|chumbinho",
    "veterinari* ~~ olhou|disse|tratou|examinou ~~ nao_foi_nada|so_um|so_uma|bem|otimo|otima|\
     recuperando|cortezinho",
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
    // A campaign or a leaflet and what it says; advice given for "if": "a campanha do posto
    // falava de olho fundo", "disse que se a febre baixar é pra correr pro posto".
    "campanha|cartaz|folheto|panfleto|propaganda|cartilha ~~ falava|fala|falou|dizia|diz|mostra|\
     mostrava|ensina|ensinava|explica|explicava",
    "disse|falou|explicou|orientou|avisou ~ que ~ se ~~ a_pessoa|alguem|o_paciente|o_doente ~~ \
     e_para|tem_que|precisa|deve",
    // Someone hypothetical at the counter: "se alguém desmaiar aqui na fila…".
    "se ~ alguem|alguma_pessoa|uma_pessoa|um_cliente ~ desmaiar|passar_mal|cair|engasgar|\
     convulsionar ~~ aqui|fila|loja|farmacia",
    // A sportsman's injury is sports news: "o Neymar machucou o tornozelo de novo".
    // (With an article: someone in the news; "meu filho, que é atleta, desmaiou" is not.)
    "o|a|um|uma|aquele|aquela|esse|essa ~ jogador|jogadora|goleiro|atacante|zagueiro|lateral|\
     tecnico|juiz|piloto|lutador|lutadora|atleta|craque ~~ machucou|machucado|lesionou|lesao|\
     contundiu|contusao|desmaiou|torceu|quebrou|operou|cirurgia|rompeu|afastado",
    "neymar ~~ machucou|machucado|lesionou|lesao|contundiu|contusao|desmaiou|torceu|quebrou|operou|\
     cirurgia|rompeu|afastado",
    // Someone's work in health: "minha filha é enfermeira obstétrica, vive contando de parto…",
    // "trabalho no CIATox, a gente atende muita ligação de criança que mexeu em produto".
    // ("Sou cuidadora e ele vomitou sangue hoje" is a carer's report: only a shift told.)
    "e|era enfermeira|enfermeiro|medica|medico|socorrista|bombeiro|bombeira|pediatra|obstetra|\
     residente|parteira|farmaceutico|farmaceutica|salva_vidas|paramedico|paramedica|veterinario|\
     veterinaria|dentista",
    "sai|saindo|saio|sair ~~ plantao|plantoes",
    // A campaign or a lesson at work: "a gente faz roda de conversa sobre prevenção do
    // suicídio", "a gente revisa com as mães o que fazer se um menino desmaiar".
    "roda_de_conversa|panfleto|panfletos|cartaz|cartazes|palestra|campanha|acao ~~ sobre|do|da|de ~~ \
     prevencao|suicidio|avc|infarto|dengue|setembro_amarelo",
    "o ~ que ~ fazer ~ se|quando ~~ alguem|um_menino|uma_menina|uma_crianca|uma_pessoa",
    "faz|faco|cursa|cursando|estuda|estudando|fazendo ~~ faculdade|curso ~~ medicina|enfermagem|\
     socorrista|farmacia|primeiros_socorros|odontologia",
    // A teacher, a book, a channel and what they show; a joke: "o professor mostrou o teste do
    // copo", "um livro de um médico do SAMU que conta casos de infarto", "eu brinco que…".
    // (A teacher who "falou que ele desmaiou" reports a child's event: only a lesson shown.)
    "professor|professora|aula|palestra|curso ~~ mostrou|mostrando|mostra|ensinou",
    "livro|podcast|documentario|canal ~~ conta|contando|fala|falando|mostra|mostrando|falou|contou|\
     mostrou|explicou|sobre",
    // A character of a series: "na série o médico descobriu a meningite pela mancha".
    "serie|novela|filme|seriado|documentario ~~ medico|medica|personagem|ator|atriz|protagonista",
    // Seeing patients at work: "cansei de ver gente chegando com dor no peito".
    "cansei ~ de ~ ver|atender ~~ gente|paciente|pacientes|caso|casos",
    // Read or seen in the news: "vi no jornal que o estado tem mais intoxicação".
    "vi|viu|vimos|li|leu ~ no|na ~ jornal|tv|televisao|internet|radio|noticia ~ que",
    // A school work or a poem about a topic: "o cordel sobre o mosquito da dengue".
    "cordel|feira_de_ciencia|feira_de_ciencias|trabalho|cartaz|cartazes|video|redacao|\
     apresentacao|musica ~~ sobre",
    // Sayings and folk beliefs: "meu compadre tinha um ditado, quem bebe água de pote…".
    "ditado|ditados|crendice|crendices|superstic*|lenda|lendas|simpatia|simpatias",
    // A scene of fiction: "o filme tinha uma cena de parto com hemorragia".
    "cena|cenas ~ de|do|da|com|em_que|onde",
    "o ~ que ~ mais ~ atende|atendem|ve|veem|aparece|aparecem",
    // Hearsay and general-knowledge questions: "é verdade que quem tem sangue tipo O é mais
    // picado?", "ouvi dizer que…".
    "e|sera ~ verdade ~ que",
    "ouvi|ouviu|ouvimos ~ dizer|falar ~ que",
    // A grandparent's tales, an old habit: "minha vó contava que na roça…".
    // ("dizia que" is not here: "minha filha dizia ontem que ia se matar" is a warning.)
    "contava|contavam ~ que",
    "avo|vo|avos|bisavo|bisavo ~~ conta|contou|dizia ~ que",
    "trabalha|trabalho|trabalhava|formou|estuda|estudando ~~ enfermagem|medicina|residencia|\
     plantao|plantoes|socorrista|ciatox|samu|hospital|pronto_socorro|upa|maternidade|pediatria|\
     brigada|bombeiros|caps|ubs|ambulancia|posto_de_saude|recepcao_do_posto|drogaria|\
     vigilancia|epidemiologia",
    "atende|atendem|atendia|atendo|atendemos ~~ muita|muito|muitos|muitas|caso|casos|ligacao|\
     ligacoes",
    // A course or a lesson: "a gente fez curso de primeiros socorros", "a professora ensinou
    // os sinais de AVC".
    "curso|cursos|aula|aulas|treinamento|palestra|oficina ~ de|do|da|sobre",
    // An exam or a school subject: "a prova foi sobre síncope vasovagal".
    "prova|provas|modulo|materia|seminario|apostila ~~ sobre|foi_sobre|era_sobre",
    "ensinou|ensinaram|ensinando|ensina|ensinam|explicou|explicaram|aprendi|aprendemos|aprendeu|\
     mostrou_como",
    // An advert or a campaign: "passou propaganda do CIATox falando pra nunca provocar vômito".
    "propaganda|propagandas|comercial|comerciais|anuncio|campanha|campanhas|cartaz|cartazes|\
     panfleto|panfletos ~ do|da|de|sobre",
    // A player, a referee, a coach: sports news.
    "o|a ~ lateral|goleiro|goleira|zagueiro|atacante|jogador|jogadora|juiz|juiza|bandeirinha|\
     lutador|lutadora",
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
     cachorra|cachorrinho|cachorrinha|cadela|cao|passarinho|papagaio|calopsita|coelho|hamster|pet|\
     cavalo|vaca|vacas|boi|bois|bezerro|porco|galinha|galinhas|cabrito|bode|ovelha|gado \
     ~~ vomit*|diarreia|\
     tosse|tossindo|espirr*|coceira|cocando|pulga*|carrapato*|bicheira|sarna|veterinari*|bateu|\
     caiu|machucou|cortou|desmaiou|engasgou|comeu|engoliu|mancando|mancou|tropecou|bebeu|lambeu",
];

/// Told history that runs to the end of its sentence, up to a return to now ([`NOW_WORDS`]):
/// "quando eu tinha dez anos caí da mangueira e bati a cabeça", "lembra daquele susto com o meu
/// netinho que bebeu detergente", "meu sogro teve um derrame há muito tempo, ficou com a fala
/// devagar".
const HISTORY: &[&str] = &[
    "quando ~ eu|ele|ela|a_gente ~ tinha|tinhamos|era|eramos ~~ #1-99 ~ ano|anos",
    "quando ~ eu|ele|ela|a_gente ~ era|eramos ~ crianca|criancas|pequeno|pequena|pequenos|novo|\
     nova|jovem|adolescente|mocinha|mocinho",
    "lembra|lembras|lembram|lembrou ~ daquele|daquela|daquilo|da_vez|do_dia|do_susto|do_surto|\
     da_epidemia|do_caso",
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
    // A remote hypothetical: "se um dia meu pai tiver um derrame, o certo é ligar 192?",
    // "imagina se o bebê tiver febre de madrugada".
    "se|caso ~ 1|um ~ dia",
    "imagina|imagine ~ se",
    "no|o ~ que ~ faria|eu_faria ~ se",
    "e ~ se ~ alguem|uma_pessoa",
];

/// A time at least a month gone or a period of life, or thanks for a past visit's advice: one
/// half of a story that ended well ([`ENDED_WELL`]). "Last week" and "yesterday" are not here: a
/// sign that recent still counts.
const LONG_PAST: &[&str] = &[
    "faz|ha ~ #1-99|uns|umas|muitos|muitas ~ ano|anos|mes|meses",
    "#1-99|uns|umas|muitos|muitas ~ ano|anos|mes|meses ~ atras",
    "ano|mes ~ passado|retrasado",
    "no|na|do|da ~ reveillon|natal|carnaval|pascoa|virada_do_ano",
    "no|do ~ meu|nosso ~ tempo",
    "quando ~ era|eramos|tinha|estava|tive|teve ~~ crianca|pequeno|pequena|moco|moca|novo|nova|\
     jovem|gravida|bebe|adolescente|mocinha|mocinho|#1-99",
    "quando ~ eu|ela ~ tive|teve|ganhei|ganhou ~~ cacula|primeiro|primeira|mais_velho|mais_velha",
    "em|no|na|de ~ #1950-2030",
    "em ~ janeiro|fevereiro|marco|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro",
    "antigamente",
    "na|da ~ minha|nossa|sua ~ epoca|infancia|juventude|adolescencia",
    "em ~ #80-99",
    "em|no|de ~ #1-2 ~ mil",
    "faz|ha ~ anos|meses",
    // Thanks for earlier advice: a past visit, as a time gone ("você mandou minha mãe pro
    // hospital semana passada… era AVC mesmo, e ela já tá em casa e bem").
    "obrigado|obrigada|agradecer|agradeco|valeu ~~ pela|pelo|pelas|pelos ~~ ajuda|dica|dicas|\
     orientacao|indicacao|conselho|remedio|pomada|repelente|protetor|xarope",
    "agradecer|agradeco|obrigado|obrigada|valeu ~~ voce|senhor|senhora ~ mandou|indicou|falou|\
     recomendou|orientou|disse|passou",
    "voce|senhor|senhora ~ mandou|indicou|recomendou|orientou ~~ semana_passada|outro_dia|mes_passado|\
     da_outra_vez",
];

/// The other half: the person is well now, or life has gone on ("hoje tá ótimo e joga bocha",
/// "faz quarenta anos que não tem crise", "hoje a gente ri disso").
const NOW_WELL: &[&str] = &[
    "hoje|agora|ja ~ esta|estao|anda|vive|fica|ficou|ficaram|continua ~ otimo|otima|otimos|otimas|\
     bem|boa|bom|forte|fortes|saudavel|normal|inteiro|inteira|curado|curada|recuperado|recuperada",
    "hoje|agora ~ ele|ela|eu|o_menino|a_menina ~ anda|joga|le|faz|trabalha|dirige|corre|caminha|\
     nada|estuda|faz_faculdade",
    "hoje|agora ~ anda|joga|le|trabalha|dirige|corre|caminha|estuda|brinca",
    "ja ~ tirou|tirei|tiramos ~ os ~ pontos",
    "ja ~ passou|sumiu|sarou|curou|cicatrizou|recuperou|recuperei|parou|voltou_ao_normal",
    "cicatriz ~~ ate_hoje",
    "hoje ~~ anda|joga|le|dirige|corre|caminha ~~ dia|dias|sem|sozinho|sozinha|normal|#1-99",
    "forte ~ que_nem|como|feito ~ touro|um_touro|cavalo",
    "hoje ~ a ~ gente ~ ri|rimos|da_risada",
    "faz|ha ~~ ano|anos|mes|meses ~~ que ~ nao ~ tem|teve|sente|sentiu|tive|sinto",
    "nunca ~ mais ~ teve|tive|sentiu|senti|aconteceu",
    "ainda_bem_que_passou",
    "gracas_a_deus ~~ passou|otimo|otima|bem|boa|curou|sarou",
    "ele|ela|eu|todo_mundo ~ esta|estao ~ otimo|otima|bem|boa|bom|forte",
    "deu ~ tudo ~ certo",
    "esta|ficou|fiquei|ficaram|voltou ~ 100_por_cento|cem_por_cento|novo|nova|novinho|novinha|\
     zerado|zerada",
    "fiquei|ficou|ficaram ~ bem|boa|bom ~ na_hora|logo|rapidinho|depois|desde",
    "melhorou|melhorei|sarou ~ rapidinho|logo|rapido ~~ hoje|agora|ja",
    "melhorou|melhorando ~ muito|bastante|demais",
    "a ~ gente ~ ri|rimos ~~ disso|hoje",
    "cicatrizou ~ bonito|bonitinho|direitinho|bem",
    "esta|ficou|ficaram|estao ~ tudo ~ bem|otimo|certo|estavel|controlado|normal",
    "tudo ~ estavel|controlado|controlada",
    "sem ~ crise|crises|convulsao|convulsoes|sangramento|sintoma|sintomas|problema|problemas",
    "sem ~ nenhuma|nenhum ~ picada|picadas|mosquito|queimadura|bolha|problema",
    "sem ~ queimar ~ nada",
    "hoje ~ ele|ela ~ tem|ja_tem ~ #5-34",
    "nao ~ foi ~ nada",
    "era|foi ~ so ~ muscular|susto|gases|ansiedade|virose|nada",
    "recuperou|recuperei|se_recuperou ~ tudo|bem|totalmente|100_por_cento",
    "hoje ~ ele|ela ~ tem ~ #1-99 ~ anos|filhos",
    "hoje ~ tem ~ #1-99 ~ anos",
];

/// A lesson that is where something happened, not what was taught: a sport or school lesson
/// ("apagou no meio da aula de educação física correndo"), a lesson as the time of an event ("no
/// meio da aula", "durante o treino"). A retold match starting at such a lesson is not retold.
const LESSON_AS_PLACE: &[&str] = &[
    "aula|aulas|treino|treinamento|curso ~ de|do|da ~ educacao_fisica|natacao|danca|bale|ballet|\
     judo|karate|capoeira|jiu_jitsu|luta|futebol|futsal|volei|basquete|handebol|ginastica|\
     hidroginastica|pilates|ioga|yoga|spinning|crossfit|zumba|corrida|musculacao|academia|\
     ingles|matematica|reforco|musica|violao|piano|teatro|direcao|bicicleta",
    "meio|durante|depois|antes|fim|final ~ da|do|de|a|o ~ aula|aulas|treino|curso|palestra|oficina",
];

/// How the customer did something, as someone taught them ("belisquei a pele como a enfermeira
/// ensinou e ela ficou em pé"): what follows is what they saw, not the lesson. Only after the
/// customer's own words; a sentence that opens "Como o médico explicou, …" retells a lesson.
const DONE_AS_TAUGHT: &str = "como ~~ ensinou|ensinaram|explicou|explicaram|mostrou|mostraram|\
     orientou|orientaram|mandou|mandaram";

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
static COMPILED_LONG_PAST: LazyLock<Vec<Pattern>> = LazyLock::new(|| compile(LONG_PAST));
static COMPILED_LESSON_AS_PLACE: LazyLock<Vec<Pattern>> =
    LazyLock::new(|| compile(LESSON_AS_PLACE));
static COMPILED_DONE_AS_TAUGHT: LazyLock<Vec<Pattern>> =
    LazyLock::new(|| compile(&[DONE_AS_TAUGHT]));
static COMPILED_NOW_WELL: LazyLock<Vec<Pattern>> = LazyLock::new(|| compile(NOW_WELL));

fn compile(patterns: &[&str]) -> Vec<Pattern> {
    patterns
        .iter()
        .flat_map(|f| Pattern::parse_orders(f).unwrap_or_else(|e| panic!("figure {f:?}: {e}")))
        .collect()
}

/// Blanks every figure in one sentence's canonical words.
pub(crate) fn blank_figures(words: &mut [Word]) {
    let tokens: Vec<String> = words.iter().map(|w| w.canon.clone()).collect();
    let index = WordIndex::of(&tokens);
    // Read only once a retold match needs them (most sentences have none).
    let places = std::cell::OnceCell::new();
    for figure in COMPILED.iter() {
        for span in figure.find_all_signed(&tokens, &index) {
            blank_keeping_risk(&mut words[span.start..span.end]);
        }
    }
    // What is retold keeps its outbreak words; a told episode keeps its risk.
    for (patterns, stops, keep, told) in [
        (&*COMPILED_REPORTED, OWN_WORDS, CONTEXT_IN_REPORT, false),
        (&*COMPILED_HISTORY, NOW_WORDS, &[][..], true),
    ] {
        for pattern in patterns {
            for span in pattern.find_all_signed(&tokens, &index) {
                if told_by_someone_close(&tokens, span)
                    || places
                        .get_or_init(|| lessons_as_places(&tokens, &index))
                        .iter()
                        .any(|p: &crate::spoken::Span| p.start <= span.start && span.start < p.end)
                {
                    continue;
                }
                // A stop word ends the blank even inside a long match ("minha cachorra dorme
                // comigo e eu acordo empolado" keeps "eu acordo empolado"), past the match's
                // first two words ("a minha gata vomita…" is all the story).
                // "a vizinha que é enfermeira beliscou…": a job that says who someone is, not
                // what they tell; only the clause is blanked.
                let who = span.start > 0
                    && span.end - span.start == 2
                    && tokens[span.start - 1] == "que"
                    && matches!(tokens[span.start].as_str(), "e" | "era");
                let reach = if who {
                    span.end
                } else {
                    (span.end + STORY_REACH).min(tokens.len())
                };
                let from = (span.start + 2).min(reach);
                let end = (from..reach)
                    .find(|&i| is_stop(&tokens, i, stops))
                    .unwrap_or(reach);
                if told {
                    blank_keeping_risk(&mut words[span.start..end]);
                } else {
                    blank(&mut words[span.start..end], keep);
                }
            }
        }
    }
    blank_ended_well(words, &tokens, &index);
}

/// Spans of [`LESSON_AS_PLACE`] and [`DONE_AS_TAUGHT`] in `tokens`.
fn lessons_as_places(tokens: &[String], index: &WordIndex) -> Vec<crate::spoken::Span> {
    let done_as_taught = COMPILED_DONE_AS_TAUGHT
        .iter()
        .flat_map(|p| p.find_all_signed(tokens, index))
        .filter(|s| {
            s.start > 0 && !matches!(tokens[s.start - 1].as_str(), "e" | "mas" | "que" | "porque")
        });
    COMPILED_LESSON_AS_PLACE
        .iter()
        .flat_map(|p| p.find_all_signed(tokens, index))
        .chain(done_as_taught)
        .collect()
}

/// Channels a relative's own message comes through.
const PERSONAL_CHANNELS: &[&str] = &[
    "whatsapp",
    "zap",
    "grupo",
    "mensagem",
    "mensagens",
    "audio",
    "instagram",
    "facebook",
    "tiktok",
    "celular",
    "telefone",
];

/// True when a "retold" match is someone close reporting their own state through a message
/// ("meu pai falou no whatsapp que tá com a boca torta", "minha irmã postou no grupo que não
/// aguenta mais viver"): a report, not the news. The news and programmes stay retold.
fn told_by_someone_close(tokens: &[String], span: crate::spoken::Span) -> bool {
    let personal = tokens[span.start..span.end]
        .iter()
        .any(|t| PERSONAL_CHANNELS.contains(&t.as_str()));
    let someone = tokens[span.start.saturating_sub(3)..span.start]
        .iter()
        .any(|t| crate::spoken::POSSESSOR_PEOPLE.contains(&t.as_str()) || t == "ele" || t == "ela");
    personal && someone
}

/// A story that ended well: a time a month or more gone and the person well now, in either
/// order, is blanked from the story's subject ([`story_subject`]) or the first to the end of the second
/// ("meu pai teve um derrame faz dez anos, ficou com a boca torta um tempo, mas hoje tá ótimo");
/// what follows stays ("…, mas hoje de manhã a boca entortou de novo"). A recent sign that
/// cleared ("voltou, ele já tá rindo") has no long-past half and still counts.
fn blank_ended_well(words: &mut [Word], tokens: &[String], index: &WordIndex) {
    let find = |patterns: &[Pattern]| -> Vec<crate::spoken::Span> {
        patterns
            .iter()
            .flat_map(|p| p.find_all_signed(tokens, index))
            .collect()
    };
    let pasts = find(&COMPILED_LONG_PAST);
    if pasts.is_empty() {
        return;
    }
    let wells = find(&COMPILED_NOW_WELL);
    let mut blanked: Option<(usize, usize)> = None;
    for p in &pasts {
        for w in &wells {
            let (first, last) = if p.start <= w.start { (p, w) } else { (w, p) };
            if last.end.saturating_sub(first.start) > ENDED_WELL_SPAN {
                continue;
            }
            // With no one named, a story told from the sentence's first words ("levei um tombo
            // quando era criança…") is blanked from there.
            let from = story_subject(tokens, first.start).unwrap_or(if first.start <= 6 {
                0
            } else {
                first.start
            });
            let (a, b) = blanked.map_or((from, last.end), |(a, b)| (a.min(from), b.max(last.end)));
            blanked = Some((a, b));
        }
    }
    // The time itself stays: what reads a complaint as past still sees it ("levei um tombo
    // quando era criança" with a blank where the story was reads as nothing to treat).
    if let Some((a, b)) = blanked {
        for (i, w) in words.iter_mut().enumerate().take(b).skip(a) {
            if !pasts.iter().any(|p| p.start <= i && i < p.end) {
                w.canon = BLANK.to_owned();
            }
        }
    }
}

/// The most words from the start of one half of a story that ended well to the end of the
/// other.
const ENDED_WELL_SPAN: usize = 30;
/// How far before its first half the subject of a story that ended well is looked for ("meu pai
/// teve um derrame faz dez anos": the sign comes before the date).
const ENDED_WELL_BACK: usize = 10;

/// Where the story whose time is said at `at` starts: its subject ("meu pai…", "o meu avô…"),
/// or the thing a possessor names ("a visão dupla do meu avô…"), within [`ENDED_WELL_BACK`]
/// words; `None` when no one is named (nothing before the time is blanked: it may be the
/// customer's own complaint).
fn story_subject(tokens: &[String], at: usize) -> Option<usize> {
    const MY: &[&str] = &[
        "meu", "minha", "meus", "minhas", "seu", "sua", "nosso", "nossa",
    ];
    let lo = at.saturating_sub(ENDED_WELL_BACK);
    // "aquela gripe que pegou a família toda em julho…": a remembered thing.
    let remembered = (lo..at).find(|&j| {
        matches!(
            tokens[j].as_str(),
            "aquela" | "aquele" | "aquelas" | "aqueles" | "daquela" | "daquele"
        )
    });
    let j = (lo..at).rev().find(|&j| {
        MY.contains(&tokens[j].as_str())
            && tokens
                .get(j + 1)
                .is_some_and(|p| crate::spoken::POSSESSOR_PEOPLE.contains(&p.as_str()))
    });
    let Some(j) = j else {
        return remembered;
    };
    let before = j.checked_sub(1).map(|i| tokens[i].as_str());
    Some(match before {
        Some("do" | "da" | "dos" | "das") => {
            let from = j.saturating_sub(5).max(lo);
            (from..j - 1)
                .rev()
                .find(|&i| matches!(tokens[i].as_str(), "a" | "o" | "as" | "os"))
                .unwrap_or(j - 1)
        }
        Some("o" | "a") => j - 1,
        _ => j,
    })
}

/// True when the word at `i` ends a retold span or a told history: one of `stops`, or a
/// contrast that breaks a clause ([`super::clauses::CLAUSE_BREAKS`]; "mas" only where `stops`
/// has it) or "só que" ("deu na TV, só que hoje ele disse…"). A form of address after an
/// article is someone in the story ("na novela a mocinha…"), not the pharmacist.
fn is_stop(tokens: &[String], i: usize, stops: &[&str]) -> bool {
    let t = tokens[i].as_str();
    let contrast = t != "mas" && super::clauses::CLAUSE_BREAKS.contains(&t);
    if contrast || (t == "so" && tokens.get(i + 1).is_some_and(|n| n == "que")) {
        return true;
    }
    if !stops.contains(&t) {
        return false;
    }
    let address = matches!(t, "moca" | "moco" | "senhor" | "senhora");
    let after_article = i > 0
        && matches!(
            tokens[i - 1].as_str(),
            "a" | "o"
                | "uma"
                | "um"
                | "da"
                | "do"
                | "na"
                | "no"
                | "essa"
                | "esse"
                | "aquela"
                | "aquele"
        );
    !(address && after_article)
}

/// Blanks a figure or a told episode, its risk kept as [`TOLD_RISK`].
fn blank_keeping_risk(words: &mut [Word]) {
    for w in words.iter_mut() {
        w.canon = if RISK_IN_HISTORY.contains(&w.canon.as_str()) {
            TOLD_RISK
        } else {
            BLANK
        }
        .to_owned();
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
        // A figure written `a <~> b` compiles to both orders.
        let both_orders = FIGURES.iter().filter(|f| f.contains(" <~> ")).count();
        assert_eq!(COMPILED.len(), FIGURES.len() + both_orders);
    }

    #[test]
    fn figures_are_blanked() {
        for text in [
            "tô morrendo de calor",
            "fiquei engasgado de tanto rir",
            "quase tive um infarto quando vi a fatura",
            "esse time me mata do coração",
            "desmaiei de sono no sofá",
            "ele bateu o carro ontem",
            "bateu uma saudade da minha mãe",
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
    fn a_contrast_ends_a_retold_span_like_mas() {
        let k = kept("falaram disso na TV, só que hoje ele disse que ninguém ia sentir falta dele");
        assert!(k.contains("ele disse que ninguem ia sentir falta"), "{k:?}");
        let k = kept("passou na novela a cena do veneno, porém ontem meu filho bebeu detergente");
        assert!(k.contains("meu filho bebeu detergente"), "{k:?}");
    }

    #[test]
    fn a_told_episode_keeps_its_risk_as_context() {
        let k = kept("minha filha teve uma tentativa de suicídio mês passado");
        assert!(!k.contains("suicidio") && k.contains(TOLD_RISK), "{k:?}");
        // A retold lesson keeps nothing.
        let k = kept("a palestra sobre depressão foi ótima");
        assert!(!k.contains(TOLD_RISK) && !k.contains("depressao"), "{k:?}");
    }

    #[test]
    fn something_done_as_taught_is_what_the_customer_saw() {
        let k = kept("belisquei a pele como a enfermeira ensinou e ela ficou em pé");
        assert!(k.contains("ficou em pe"), "{k:?}");
        // A sentence that opens with the lesson retells it.
        let k = kept("como o médico explicou a pele fica em pé quando desidrata");
        assert!(!k.contains("fica em pe"), "{k:?}");
    }

    #[test]
    fn a_lesson_where_something_happened_is_not_a_lesson_retold() {
        let k = kept("minha filha apagou no meio da aula de educação física correndo e caiu");
        assert!(k.contains("correndo e caiu"), "{k:?}");
        let k = kept("na aula de natação ele ficou sem ar e roxo");
        assert!(k.contains("sem ar e roxo"), "{k:?}");
        // What a lesson taught is still retold.
        let k = kept("a gente fez curso de primeiros socorros e ensinaram o que fazer no avc");
        assert!(!k.contains("avc"), "{k:?}");
        let k = kept("no curso de gestante mostraram o sangramento que é perigoso");
        assert!(!k.contains("sangramento"), "{k:?}");
    }

    #[test]
    fn real_complaints_that_look_alike_stay() {
        for (text, word) in [
            ("tô morrendo de dor nas costas", "dor"),
            ("ele bateu a cabeça no carro", "cabeca"),
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

    #[test]
    fn a_crashed_car_is_blanked_but_a_blow_to_the_head_in_it_stays() {
        let k = kept("bati o carro e bati a cabeça no volante");
        assert!(k.starts_with(BLANK), "{k:?}");
        assert!(k.ends_with("e bati a cabeca no volante"), "{k:?}");
    }

    #[test]
    fn a_story_that_ended_well_is_blanked_and_what_follows_it_stays() {
        let k =
            kept("meu pai teve um derrame faz dez anos, ficou com a boca torta, mas hoje tá ótimo");
        assert!(!k.contains("torta") && !k.contains("derrame"), "{k:?}");
        let k =
            kept("tô com dor de garganta, minha vizinha teve dengue mês passado, mas já tá boa");
        assert!(
            k.contains("dor de garganta") && !k.contains("dengue"),
            "{k:?}"
        );
        let k = kept("minha mãe teve avc ano passado e hoje tá ótima, mas agora a boca entortou");
        assert!(k.ends_with("agora a boca entortou"), "{k:?}");
        // No long past: a recent sign that cleared is not a story that ended well.
        let k = kept("a boca dele entortou hoje cedo, depois voltou, ele já tá bem");
        assert!(k.contains("entortou"), "{k:?}");
    }
}
