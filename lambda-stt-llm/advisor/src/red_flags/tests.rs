//! The screen's own tests: the embedded catalogue is valid and cited, bad catalogues are clear
//! errors, colloquial and STT-style wordings fire, negations and everyday complaints do not,
//! questions to the pharmacist never hide a red flag, probes count once answered.

use balto_core::advice::{Conversation, Decision, INTERVENTION_PREFIX};

use super::*;

fn screen() -> RedFlagScreen {
    RedFlagScreen::embedded()
}

fn ids(text: &str) -> Vec<String> {
    screen()
        .findings(&Conversation::single(text))
        .into_iter()
        .map(|s| s.id)
        .collect()
}

/// Each text fires its red flag (others may fire too).
fn assert_fires(cases: &[(&str, &str)]) {
    for (text, id) in cases {
        let got = ids(text);
        assert!(got.iter().any(|i| i == id), "{text:?}: {got:?}");
    }
}

/// No text fires any red flag.
fn assert_silent(texts: &[&str]) {
    for text in texts {
        let got = ids(text);
        assert!(got.is_empty(), "{text:?}: {got:?}");
    }
}

fn window(texts: &[&str], last: Option<&str>) -> Conversation {
    let mut c = Conversation::spaced(texts.iter().copied(), 4_000);
    c.last_product = last.map(str::to_owned);
    c
}

#[test]
fn embedded_catalogue_is_valid_and_cites_its_sources() {
    let s = RedFlagScreen::from_json(RedFlagScreen::embedded_json()).expect("valid");
    assert!(s.ids().len() >= 14, "{:?}", s.ids());
    for id in s.ids() {
        let sources = s.sources(id).unwrap_or_default();
        assert!(!sources.is_empty(), "{id}");
        for src in sources {
            assert!(src.url.starts_with("https://"), "{id}: {}", src.url);
            assert!(!src.titulo.is_empty());
        }
    }
    for rule in s.rules() {
        assert!(rule.produto.starts_with(INTERVENTION_PREFIX), "{}", rule.id);
        assert!(!rule.regra.is_empty());
    }
}

#[test]
fn bad_catalogues_are_clear_errors() {
    let base: serde_json::Value =
        serde_json::from_str(RedFlagScreen::embedded_json()).expect("json");
    let with = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = base.clone();
        f(&mut v);
        RedFlagScreen::from_json(&v.to_string()).unwrap_err()
    };
    assert!(matches!(
        RedFlagScreen::from_json("{"),
        Err(CatalogueError::Json(_))
    ));
    assert!(matches!(
        with(&|v| v["alertas"][0]["produto"] = "encaminhar".into()),
        CatalogueError::Product { .. }
    ));
    assert!(matches!(
        with(&|v| v["alertas"][0]["fontes"] = serde_json::json!(["nenhuma-fonte"])),
        CatalogueError::UnknownSource { .. }
    ));
    assert!(matches!(
        with(&|v| v["alertas"][0]["gatilhos"] = serde_json::json!(["~ dor"])),
        CatalogueError::Pattern { .. }
    ));
    assert!(matches!(
        with(&|v| v["alertas"][1]["combinacoes"] = serde_json::json!([["nao_existe"]])),
        CatalogueError::UnknownConcept { .. }
    ));
    assert!(matches!(
        with(&|v| {
            let first = v["alertas"][0].clone();
            if let Some(a) = v["alertas"].as_array_mut() {
                a.push(first);
            }
        }),
        CatalogueError::DuplicateId(_)
    ));
    assert!(matches!(
        with(&|v| v["alertas"] = serde_json::json!([])),
        CatalogueError::Empty
    ));
}

#[test]
fn colloquial_wordings_and_stt_text_are_caught() {
    assert_fires(&[
        (
            "tô com um aperto no peito que desce pro braço",
            "dor_no_peito",
        ),
        (
            "to com um aperto no peito que desce pro braco",
            "dor_no_peito",
        ),
        ("minha mãe tá com a boca torta e falando enrolado", "avc"),
        ("a boca dela entortou do nada", "avc"),
        ("meu pai num consegue levantar o braço", "avc"),
        ("num consigo respirar direito", "falta_de_ar"),
        ("tô grávida e comecei a sangrar", "sangramento_gravidez"),
        (
            "meu filho bateu a cabeça e agora tá vomitando",
            "trauma_craniano",
        ),
        (
            "o menino tomou os comprimidos da avó",
            "intoxicacao_crianca",
        ),
        ("meu bebê de quarenta dias tá com febre", "febre_bebe"),
        ("a bebe de 1 mes ta quentinha", "febre_bebe"),
        ("eu não aguento mais viver assim", "suicidio"),
        (
            "me vende uma amoxicilina, não tenho receita",
            "antibiotico_sem_receita",
        ),
        (
            "tem como vender um rivotril? esqueci a receita em casa",
            "antibiotico_sem_receita",
        ),
        ("ele tá com febre e o pescoço duro", "meningite"),
        ("tô com dengue e não paro de vomitar", "dengue_alarme"),
    ]);
}

#[test]
fn red_flags_by_concept_as_the_sources_describe_them() {
    assert_fires(&[
        // CVV / Ministério da Saúde warning signs.
        ("queria dormir e num acordar mais", "suicidio"),
        ("quantos comprimidos precisa pra não acordar?", "suicidio"),
        (
            "meu pai tá falando que vai dar fim na vida dele",
            "suicidio",
        ),
        ("a gente ficaria melhor sem ele, ele disse", "suicidio"),
        ("já tentei uma vez e tô pensando nisso de novo", "suicidio"),
        ("quanto de paracetamol é fatal?", "suicidio"),
        // CIATox / NHS poisoning: a child got into medicines or chemicals.
        (
            "o meu de dois anos comeu os comprimidos da avó",
            "intoxicacao_crianca",
        ),
        (
            "ele pegou o frasco de dipirona e tomou tudo",
            "intoxicacao_crianca",
        ),
        (
            "minha filha mordeu a pastilha de lava-louças",
            "intoxicacao_crianca",
        ),
        (
            "achei o pequeno com o vidro de remédio aberto e faltando comprimido",
            "intoxicacao_crianca",
        ),
        // Heart attack, breathlessness, stroke (SAMU / FAST).
        ("parece um elefante sentado no peito", "dor_no_peito"),
        (
            "queimação no peito quando subi a escada, com suor gelado",
            "dor_no_peito",
        ),
        ("a asma dela atacou e a bombinha não resolve", "falta_de_ar"),
        (
            "tá fazendo um barulho de apito quando puxa o ar",
            "falta_de_ar",
        ),
        ("ele fala e ninguém entende, a perna fraquejou", "avc"),
        // Caderneta da Gestante.
        ("tô de 35 semanas e sangrou", "sangramento_gravidez"),
        (
            "estou no sétimo mês e o bebê parou de mexer na barriga",
            "sangramento_gravidez",
        ),
        (
            "o teste deu positivo e desceu uma borra marrom",
            "sangramento_gravidez",
        ),
        // Meningitis, dehydration, dengue, prescriptions.
        (
            "fiz o teste do copo e as manchinhas não sumiram, ele tá com febre",
            "meningite",
        ),
        (
            "o menino não aceita beber nada e tá largadão",
            "desidratacao_grave",
        ),
        (
            "tá com dengue, a febre passou e agora a barriga dói muito",
            "dengue_alarme",
        ),
        (
            "tem azitromicina? o médico passou da outra vez",
            "antibiotico_sem_receita",
        ),
        (
            "me vê um zolpidem, a receita eu trago depois",
            "antibiotico_sem_receita",
        ),
    ]);
}

#[test]
fn negations_exceptions_and_everyday_complaints_do_not_fire() {
    assert_silent(&[
        "não tenho dor no peito, é só azia",
        "sinto uma queimação no peito depois que eu como",
        "tô com o nariz entupido, não consigo respirar pelo nariz",
        "tô morrendo de dor de cabeça",
        "levei uma picada de pernilongo que inchou",
        "tô com um catarro preso no peito",
        "me cortei com papel e tá sangrando um pouquinho",
        "aqui a receita da amoxicilina que o pediatra passou",
        "tô tomando um antibiótico que o médico passou e me deu enjoo",
        "meu filho de seis anos tá com febre",
        "acordei com torcicolo, não consigo virar o pescoço",
        "minha vizinha teve dengue mês passado, mas já tá boa",
        "viu o jogo ontem? que sufoco",
        "vai ter vacinação contra dengue no posto? tô com a barriga inchada",
        "tô com a garganta fechada de tanto gritar no jogo",
        "qual remédio mata piolho mais rápido?",
        "tem desconto pra idoso? caí de bicicleta e ralei o joelho",
        "azia que sobe queimando o peito, ontem eu tava com dor de cabeça mas já passou",
        "tô com uma tosse seca depois do resfriado",
    ]);
}

#[test]
fn a_question_to_the_pharmacist_never_hides_a_red_flag() {
    for text in [
        "dor no peito que vai pro braço, o que você recomenda?",
        "minha mãe tá com a boca torta, o que eu faço?",
        "meu bebê de um mês tá com febre, qual você indica?",
    ] {
        assert!(!ids(text).is_empty(), "{text}");
    }
    let split = window(
        &["dor no peito que vai pro braço", "o que você recomenda?"],
        None,
    );
    assert!(matches!(screen().verdict(&split), Verdict::Intervene(_)));
}

#[test]
fn probes_count_only_once_answered_yes() {
    let asked = window(&["Você tem falta de ar?"], None);
    assert_eq!(screen().verdict(&asked), Verdict::Clear);
    let yes = window(&["Você tem falta de ar?", "Tenho sim, desde ontem."], None);
    assert!(matches!(screen().verdict(&yes), Verdict::Intervene(s) if s.id == "falta_de_ar"));
    let no = window(&["Você tem falta de ar?", "Não, só tosse."], None);
    assert_eq!(screen().verdict(&no), Verdict::Clear);
}

#[test]
fn combinations_span_the_window() {
    let w = window(
        &["tô grávida de três meses", "e hoje apareceu um sangramento"],
        None,
    );
    assert!(
        matches!(screen().verdict(&w), Verdict::Intervene(s) if s.id == "sangramento_gravidez")
    );
}

#[test]
fn an_intervention_already_sent_is_not_sent_again_and_no_product_follows() {
    let text = "tô com dor no peito";
    let first = screen().verdict(&Conversation::single(text));
    let Verdict::Intervene(s) = first else {
        panic!("{first:?}");
    };
    let again = screen().verdict(&window(&[text], Some(&s.produto)));
    assert!(matches!(again, Verdict::AlreadySent(_)), "{again:?}");
    let advice = again.advice().expect("decided");
    assert_eq!(advice.decision, Decision::Nenhuma);
    let a = s.advice();
    assert_eq!(a.decision, Decision::Intervencao);
    assert!(a.explanation.contains("dor_no_peito"), "{}", a.explanation);
}

#[test]
fn a_positive_exam_is_dengue_asking_for_a_test_is_not() {
    // Round 5: "o exame deu dengue" had been read as a question about the test.
    assert_eq!(
        ids("o exame deu dengue e agora ele tá com dor embaixo da costela que dói quando encosta"),
        ["dengue_alarme"]
    );
    assert!(ids("quanto custa o exame de dengue? tô com tontura de calor").is_empty());
    assert!(ids("o teste de dengue deu negativo, mas tô tonta").is_empty());
}

#[test]
fn warning_signs_told_about_someone_else_fire() {
    for (text, id) in [
        (
            "meu filho postou que a gente ia ficar melhor sem ele",
            "suicidio",
        ),
        (
            "minha mãe tá preparando a despedida e me deu as joias dela",
            "suicidio",
        ),
        ("se eu sumir hoje ninguém vai nem notar", "suicidio"),
        ("minha mãe pediu a colher querendo dizer o controle", "avc"),
        (
            "ele levantou os braços e um deles caiu sozinho, sem força",
            "avc",
        ),
        (
            "sumiu a pilhinha do controle. acho que a neném engoliu",
            "intoxicacao_crianca",
        ),
        (
            "caiu do muro de cabeça no chão e já vomitou",
            "trauma_craniano",
        ),
    ] {
        assert_eq!(ids(text), [id], "{text:?}");
    }
    // A bad back makes anyone walk crooked; that is not a stroke.
    assert!(ids("travou as costas e tá andando todo torto").is_empty());
}

#[test]
fn round_six_classes_fire_and_their_figures_do_not() {
    for (text, id) in [
        (
            "minha filha falou que se for pra escola amanhã ela se mata",
            "suicidio",
        ),
        ("ele disse que já escolheu o dia", "suicidio"),
        (
            "ela comprou veneno de rato pra ela, não pra rato",
            "suicidio",
        ),
        (
            "meu filho teve dengue semana passada e hoje a barriga dói muito forte",
            "dengue_alarme",
        ),
        (
            "o bebê pegou a isca de barata e levou na boca, ele tem um ano",
            "intoxicacao_crianca",
        ),
        (
            "caiu de bicicleta, bateu a cabeça e ficou roxo em volta dos olhos",
            "trauma_craniano",
        ),
    ] {
        assert_eq!(ids(text), [id], "{text:?}");
    }
    assert_silent(&[
        "minha filha me mata de vergonha no mercado",
        "já escolhi o dia do casamento",
        "no último episódio da série um menino engoliu uma bateria",
        "fiz um curso de primeiros socorros e aprendi o teste do sorriso pra avc",
    ]);
}

#[test]
fn round_eleven_signs_said_part_first_or_as_someone_saw_them_fire() {
    assert_fires(&[
        // The part first, then what happened to it, with the owner in between.
        (
            "os olhos do meu filho afundaram depois de dois dias de diarreia",
            "desidratacao_grave",
        ),
        ("a perna esquerda dele ficou dormente de repente", "avc"),
        (
            "a xícara caiu da mão dela do nada, a mão direita ficou mole",
            "avc",
        ),
        ("o equilíbrio do meu pai sumiu de repente", "avc"),
        ("minha mãe tá vendo tudo em dobro desde que levantou", "avc"),
        (
            "as unhas do meu avô arroxearam e ele tá lutando pra respirar",
            "falta_de_ar",
        ),
        // What someone noticed.
        (
            "a minha avó caiu no banheiro e depois perguntou quem eu era",
            "trauma_craniano",
        ),
        (
            "o corte no pé do meu pai não estanca",
            "sangramento_intenso",
        ),
        (
            "ela anda dizendo que é um peso pra gente e que logo a gente fica livre dela",
            "suicidio",
        ),
        (
            "minha esposa não sente a neném mexer desde ontem e ela tá com oito meses",
            "sangramento_gravidez",
        ),
        (
            "meu filho com dengue grita quando a gente encosta na barriga dele",
            "dengue_alarme",
        ),
    ]);
    assert_silent(&[
        // Stories that ended well, and figures.
        "meu pai teve um derrame faz dez anos, ficou com a boca meio torta um tempo, mas hoje tá ótimo e joga bocha",
        "esse preço me deixou sem ar, hein",
        "a minha garganta fechou de emoção no casamento da minha filha",
        "o médico avisou que o sulfato ferroso deixa o cocô escuro",
        "ele bateu o carro mas ninguém se machucou",
    ]);
    // A recent sign that cleared still counts (a transient stroke), and a new sign after a
    // story that ended well is read.
    assert_eq!(
        ids("a boca dele entortou hoje cedo, depois voltou, ele já tá rindo"),
        ["avc"]
    );
    assert_eq!(
        ids("meu pai teve avc ano passado e hoje tá ótimo, mas agora a boca entortou de novo"),
        ["avc"]
    );
}

#[test]
fn round_twelve_signs_as_a_relative_saw_them_fire_and_told_cases_do_not() {
    assert_fires(&[
        (
            "minha irmã mandou mensagem de madrugada dizendo que ama todo mundo e pedindo desculpa por tudo",
            "suicidio",
        ),
        (
            "ele apagou todas as redes sociais e devolveu as coisas que tinha emprestado dos amigos",
            "suicidio",
        ),
        (
            "o médico falou que era dengue e desde o almoço ele não para nada no estômago",
            "dengue_alarme",
        ),
        (
            "peguei minha filha de dois anos com a garrafa de querosene, ela tá tossindo e com bafo de querosene",
            "intoxicacao_crianca",
        ),
        (
            "meu tio ficou uns dez minutos tremendo no chão e não parava",
            "convulsao_desmaio",
        ),
        (
            "tem problema ele ter tomado a cartela inteira do remédio da avó? ele tem três anos",
            "intoxicacao_crianca",
        ),
        (
            "as palavras saíram todas emboladas de repente no aniversário",
            "avc",
        ),
    ]);
    assert_silent(&[
        "meu cunhado é bombeiro e diz que o que mais atende no verão é criança que engoliu produto de limpeza",
        "no simulado de incêndio tinha gente fingindo que tava sem ar no corredor",
        "o professor de biologia mostrou o teste do copo pra ver mancha de meningite",
        "minha tia teve dengue em dois mil e dezenove, a gengiva sangrou, mas já faz anos e ela tá ótima",
        "o losartana do meu pai tá quanto a caixa com trinta?",
    ]);
}

#[test]
fn round_thirteen_signs_inside_the_customers_questions_fire_and_hearsay_does_not() {
    assert_fires(&[
        (
            "caso ele tenha engolido um pouco de água sanitária, eu dou leite pra cortar? ele tem dois anos",
            "intoxicacao_crianca",
        ),
        (
            "o que eu faço se o meu marido voltar a apagar depois de sentir o coração disparar?",
            "convulsao_desmaio",
        ),
        (
            "é normal o meu bebê não ter feito xixi desde ontem com essa diarreia toda?",
            "desidratacao_grave",
        ),
        (
            "caso eu traga a receita amanhã, você me adianta o antibiótico hoje?",
            "antibiotico_sem_receita",
        ),
    ]);
    assert_silent(&[
        "é verdade que quem tem sangue tipo O é mais picado por mosquito?",
        "ouvi dizer que beterraba deixa o xixi vermelho",
    ]);
}

#[test]
fn round_fourteen_a_negative_sign_takes_nada_as_its_object_and_nem_reads_as_nao() {
    assert_fires(&[
        (
            "meu filho tá com diarreia e vômito e não consegue beber nada",
            "desidratacao_grave",
        ),
        (
            "minha filha bateu a cabeça e nem quer acordar",
            "trauma_craniano",
        ),
        ("não tenho mais vontade de viver", "suicidio"),
        ("meu pai não reconhece ninguém desde hoje cedo", "avc"),
        (
            "minha mãe de repente não sente nada no braço esquerdo",
            "avc",
        ),
        (
            "ninguém consegue acordar ele depois que bateu a cabeça",
            "trauma_craniano",
        ),
        // "sem conseguir" reads as "não consegue"; less urine is a dengue warning sign.
        (
            "minha filha com dengue tá sem conseguir ficar em pé",
            "dengue_alarme",
        ),
        (
            "ele tá com dengue e tá sem urinar desde ontem",
            "dengue_alarme",
        ),
        (
            "ela bateu a cabeça na quina e tá sem conseguir abrir o olho direito",
            "trauma_craniano",
        ),
        (
            "peguei meu filho com a boca cheia de comprimido",
            "intoxicacao_crianca",
        ),
        (
            "meu filho experimentou o veneno de formiga",
            "intoxicacao_crianca",
        ),
        (
            "minha filha mamou o vidro de dipirona em gotas",
            "intoxicacao_crianca",
        ),
        // A warning told in the imperfect, a worry about now.
        ("minha filha dizia ontem que ia se matar", "suicidio"),
        (
            "meu filho tá roxo, parece que vai ficar sem ar",
            "falta_de_ar",
        ),
        // A teacher's report, an athlete in the family, an age.
        (
            "a professora falou que ele desmaiou na escola hoje",
            "convulsao_desmaio",
        ),
        (
            "meu filho, que é atleta, desmaiou no treino",
            "convulsao_desmaio",
        ),
        (
            "meu pai, aos setenta anos, caiu e bateu a cabeça e tá confuso, hoje tá bem melhor",
            "trauma_craniano",
        ),
        // A relative's own message is a report, not the news.
        (
            "meu pai falou no whatsapp que tá com a boca torta e a fala enrolada",
            "avc",
        ),
        (
            "minha irmã postou no grupo da família que não aguenta mais viver",
            "suicidio",
        ),
    ]);
    assert_silent(&[
        // A sign named plainly and waved away is still denied; a jab that hurt nowhere is
        // not numbness.
        "vômito ou fezes escuras? nada",
        "meu pai tomou a vacina de pneumonia e não sentiu nada, nem dor no braço",
        // The news through the same channels stays retold.
        "deu no zap que tem surto de meningite no interior",
        // Talk of the Farmácia Popular programme (it registers the prescription).
        "vim renovar o cadastro do farmácia popular pra insulina do meu pai",
        // A blocked nose keeps its exception in either wording.
        "meu filho tá com o nariz entupido e dorme sem conseguir respirar direito",
    ]);
}

#[test]
fn round_fifteen_lay_words_and_the_grave_half_of_hard_small_talk() {
    assert_fires(&[
        // One side said with the side, no "de repente".
        (
            "minha mãe tá com a perna direita dormente e fraca desde o almoço",
            "avc",
        ),
        (
            "ele diz que não tá sentindo a mão nem o pé do lado direito",
            "avc",
        ),
        (
            "meu marido teve derrame há anos e ficou bem, mas agora a mão dele ficou fraca de repente",
            "avc",
        ),
        // Shaking on the floor and not answering; shaking, then a fixed stare.
        (
            "meu primo tá se tremendo todo no chão e não responde",
            "convulsao_desmaio",
        ),
        (
            "ela teve uma tremedeira e ficou com o olhar parado uns minutos",
            "convulsao_desmaio",
        ),
        // A neck the child will not move; a baby who goes stiff, with fever.
        (
            "minha filha tá com febre alta e não quer mexer o pescoço",
            "meningite",
        ),
        (
            "o bebê tá com febre e fica todo duro quando pego no colo",
            "meningite",
        ),
        // A baby's age with "só", or after who looks after it.
        (
            "a nenê que eu olho tem três semanas e tá com febre",
            "febre_bebe",
        ),
        ("o meu tem só dois meses e tá com 38 de febre", "febre_bebe"),
        // CVV warning signs in lay words.
        (
            "meu irmão anda dizendo que vai sumir e deixar a gente em paz",
            "suicidio",
        ),
        (
            "ela pesquisou na internet um jeito de acabar com tudo de vez",
            "suicidio",
        ),
        (
            "quantos comprimidos desse remédio fazem mal? já decidi, vou dar um jeito nisso de vez",
            "suicidio",
        ),
        // Nothing stays down, with dengue; an older person dry and vague in the heat.
        (
            "meu pai tá com dengue e tudo que ele bebe ele vomita",
            "dengue_alarme",
        ),
        (
            "minha avó tá fraca que não levanta da cama, com o xixi escuro e meio aérea",
            "desidratacao_grave",
        ),
        // A drenching sweat with a burning stomach; a headache worse since a knock.
        (
            "meu tio tá com uma queimação no estômago e suando em bicas",
            "dor_no_peito",
        ),
        (
            "a dor de cabeça dele só piora desde a bolada de ontem",
            "trauma_craniano",
        ),
        // A hesitation written as an ellipsis is not a full stop.
        ("ele só consegue dizer tô... sem... ar", "falta_de_ar"),
        // A lesson that is where it happened.
        (
            "meu filho desmaiou na aula de natação e caiu",
            "convulsao_desmaio",
        ),
        // Thanks first, then a new complaint: the complaint stays.
        (
            "obrigada pela ajuda da outra vez deu tudo certo agora meu pai tá com a boca torta",
            "avc",
        ),
        // A carer's own report is not shop talk.
        (
            "sou cuidadora e a senhora que eu cuido vomitou sangue hoje",
            "sangue_fezes_vomito",
        ),
    ]);
    assert_silent(&[
        // Thanks for past advice that ended well.
        "vim agradecer, você mandou meu pai pro pronto-socorro semana passada com a boca torta e ele já tá bem",
        "obrigado pela dica de ligar pro CIATox quando minha filha pegou o remédio, não foi nada",
        // A remote hypothetical, a fear of what never happened, a drill, a shift told.
        "se um dia minha mãe tiver um AVC eu ligo pro 192 ou levo no hospital?",
        "tenho pavor de ficar sem ar no elevador",
        "no simulado da empresa tinha uma vítima com hemorragia de mentira",
        "saí agora do plantão, foi uma noite de infarto e AVC",
        // A sprained foot is not a one-sided deficit.
        "torci o pé esquerdo no futebol e ele tá fraco e inchado",
        // Saying someone will "die" of a cold is a figure.
        "meu marido diz que vai sumir toda vez que pega gripe, é drama",
    ]);
}

#[test]
fn round_fifteen_b_controlled_conditions_jokes_and_prevention_are_not_alarms() {
    assert_silent(&[
        // A condition under control for years; an old story that ended well.
        "meu cunhado tem epilepsia mas tá há anos sem crise com o remédio",
        "tive uma hemorragia no parto, mas faz dez anos e tá tudo bem",
        // A joke at a price; a medicine and what it prevents.
        "vou ter um infarto com esse preço, brincadeira",
        "é o remédio que meu pai toma desde o derrame",
        "o neurologista passou esse pra ele não ter outro AVC",
        // A series' character; a hypothetical in the conditional.
        "na série o médico viu a mancha da meningite no copo",
        "fico pensando no que faria se visse alguém convulsionando",
    ]);
    assert_fires(&[
        // The same topics happening now stay warnings.
        (
            "ele tem epilepsia, tava há anos sem crise, mas hoje teve três crises seguidas",
            "convulsao_desmaio",
        ),
        (
            "ela toma remédio desde o AVC e agora a boca entortou de novo",
            "avc",
        ),
        // "o que fazer se…" about now is not a hypothetical.
        (
            "o que fazer se a dor no peito dele continua indo pro braço?",
            "dor_no_peito",
        ),
        // A farewell in the imperfect subjunctive; the warning phase after the fever.
        (
            "ela mandou mensagem dizendo que se acontecesse alguma coisa com ela era pra eu saber que me amava",
            "suicidio",
        ),
        (
            "a febre dela baixou ontem e hoje começou uma dor de barriga forte que não para",
            "dengue_alarme",
        ),
        // Purple nails are not a dyed colour.
        ("o vô tá sem ar e com as unhas roxas", "falta_de_ar"),
    ]);
}

#[test]
fn round_sixteen_the_five_weakest_flags_sign_by_sign() {
    assert_fires(&[
        // Dengue (Ministério da Saúde): a weak fast pulse, a rising haematocrit, agitation.
        (
            "meu marido tá com dengue e o pulso dele tá fininho e acelerado",
            "dengue_alarme",
        ),
        (
            "tô com dengue e o exame mostrou o hematócrito subindo",
            "dengue_alarme",
        ),
        (
            "minha avó com dengue tá agitada, não para quieta na cama",
            "dengue_alarme",
        ),
        // Dehydration: everything drunk comes back; a pinched skin that stays; a slow refill.
        (
            "vomitei a noite toda, tudo que eu bebo volta, até o soro",
            "desidratacao_grave",
        ),
        (
            "belisquei a pele do meu avô e ficou enrugada, não voltou, e ele tá sonolento",
            "desidratacao_grave",
        ),
        // Poisoning: an opened box of someone's medicine; nose drops by the dozen.
        (
            "meu neto abriu a caixinha do remédio de pressão e agora tá tonto",
            "intoxicacao_crianca",
        ),
        (
            "minha filha de dois anos pingou um monte de gotas de nafazolina no nariz e tá gelada",
            "intoxicacao_crianca",
        ),
        // Suicide (CVV): a list of what goes to whom, a locked door with a blade, a farewell
        // photo of an empty blister pack, a gun "he knows what to do with", self-harm again.
        (
            "achei uma carta dela dizendo o que deixa pra cada filho",
            "suicidio",
        ),
        (
            "meu irmão se trancou no quarto com uma faca e não abre",
            "suicidio",
        ),
        (
            "ela mandou foto de uma cartela vazia e escreveu adeus",
            "suicidio",
        ),
        (
            "ele disse que tem uma arma e que sabe o que fazer com ela",
            "suicidio",
        ),
        ("me sinto um lixo e ontem me cortei de novo", "suicidio"),
        (
            "meu pai largou tudo que gostava, só fica no quarto no escuro e diz que não aguenta mais",
            "suicidio",
        ),
        // Head injury (NHS): a fall from a height onto the head; hearing lost; irritable.
        (
            "meu tio caiu da laje e bateu a cabeça, diz que é só dor",
            "trauma_craniano",
        ),
        (
            "ela bateu a cabeça e agora tá ouvindo pouco de um ouvido",
            "trauma_craniano",
        ),
        (
            "o bebê caiu do trocador, bateu a cabeça e não quer mamar",
            "trauma_craniano",
        ),
    ]);
    assert_silent(&[
        // A fall down the stairs that was checked and is over; a faint explained and over.
        "minha vizinha caiu da escada semana passada, bateu a cabeça, mas já tá boa, fez tomografia e não deu nada",
        "a moça desmaiou na missa mas foi só jejum, ficou boa na hora",
        // Cutting vegetables is not self-harm; a medicine box opened by an adult is not poisoning.
        "me cortei descascando batata",
        "abri a caixinha do remédio de pressão e vi que tá acabando",
    ]);
}

#[test]
fn round_seventeen_regional_speech_and_the_other_flags_sign_by_sign() {
    assert_fires(&[
        // Regional and generational speech (tuning24's classes).
        (
            "tô com dengue e num urino quase nada desde ontem",
            "dengue_alarme",
        ),
        (
            "o piazinho bebeu a cachaça que tava na mesa e tá mole",
            "intoxicacao_crianca",
        ),
        (
            "meu pai se despediu dos compadres e disse que não vai dar mais trabalho",
            "suicidio",
        ),
        (
            "desde que a mulher dele morreu ele diz que vai encontrar com ela",
            "suicidio",
        ),
        (
            "o menino tá se vazando desde ontem, boca seca, quietinho demais",
            "desidratacao_grave",
        ),
        (
            "derramou água sanitária no olho do menino",
            "intoxicacao_crianca",
        ),
        // The other flags sign by sign (tuning23's classes).
        (
            "de repente ele não conseguia escrever e o celular caiu da mão",
            "avc",
        ),
        (
            "minha mãe tá com dor no queixo, suando e branca",
            "dor_no_peito",
        ),
        (
            "ela tá com um desconforto no peito e enjoo desde cedo",
            "dor_no_peito",
        ),
        (
            "ele tem alergia a amendoim, comeu paçoca e tá chiando o peito",
            "anafilaxia",
        ),
        (
            "levei uma picada de vespa e tô com a sensação de que vou morrer",
            "anafilaxia",
        ),
        (
            "tô com febre e uma dor de cabeça que parece que vai estourar, vomitei duas vezes",
            "meningite",
        ),
        ("meu avô tá confuso e com a nuca dura", "meningite"),
        (
            "o cachorro mordeu a perna dele e a toalha já tá encharcada de sangue",
            "sangramento_intenso",
        ),
        (
            "acordei com a língua mordida e minha mulher disse que eu tava me debatendo",
            "convulsao_desmaio",
        ),
    ]);
    assert_silent(&[
        // A flu's heavy body is not meningitis; a vaccine's tiredness is not anaphylaxis.
        "peguei uma gripe, tô com o corpo mole e febre",
        "tomei a vacina e fiquei com o corpo mole",
        // A saying; the news.
        "minha vó tinha um ditado, quem toma chuva pega febre",
        "vi no jornal que o estado tem muita intoxicação de criança",
    ]);
}

#[test]
fn round_eighteen_spoken_spellings_hurried_fragments_and_relayed_signs() {
    assert_fires(&[
        // Spelled as pronounced (tuning25's class): accents give the verb away.
        (
            "minha fia tá vomitano tudo e num qué bebê nada, tá molinha",
            "desidratacao_grave",
        ),
        (
            "meu fio caiu da laje, bateu a cabeça e tá veno tudo dobrado",
            "trauma_craniano",
        ),
        (
            "ele falô que qué morrê, que ninguém vai sentí falta",
            "suicidio",
        ),
        // "consegu*" never matched "consigo".
        (
            "tô com diarreia e não consigo ficar em pé de tão fraca",
            "desidratacao_grave",
        ),
        // Hurried fragments: the parts of a combination said bare (tuning26's class).
        (
            "dengue, a mão gelada, o pé gelado, branquinha",
            "dengue_alarme",
        ),
        (
            "comeu os comprimidos da pressão do avô",
            "intoxicacao_crianca",
        ),
        ("febre, trinta e oito, o bebê, um mês e meio", "febre_bebe"),
        (
            "caiu da escada, o vô, e ele toma varfarina",
            "trauma_craniano",
        ),
        (
            "tá diferente desde a queda, brava, chorando por tudo",
            "trauma_craniano",
        ),
        // Relayed as it happens (tuning28's class): the content was missing, not the relay.
        (
            "a babá disse que ele achou o remédio da vó, engoliu e tá sonolento",
            "intoxicacao_crianca",
        ),
        (
            "meu filho foi picado por escorpião agora na escola",
            "intoxicacao_crianca",
        ),
        (
            "ela mandou: desculpa por tudo, cuida do meu gato, não aguento mais",
            "suicidio",
        ),
        ("ele escreveu que hoje para de sofrer", "suicidio"),
        (
            "leva um ciprofloxacino pra mim, a receita eu perdi",
            "antibiotico_sem_receita",
        ),
        // The grave half of a hard negative (tuning27's class).
        (
            "belisquei a pele da barriga e ela demora pra voltar",
            "desidratacao_grave",
        ),
        (
            "achei que era azia, mas é queimação no peito com suor frio e sensação de que vou desmaiar",
            "dor_no_peito",
        ),
    ]);
    assert_silent(&[
        // A plural said as spoken no longer reads as many pills; a debt is not a rope.
        "meu marido tá com a corda no pescoço de tanta conta",
        "tenho medo de um dia meu filho engolir remédio, por isso guardo tudo trancado",
        // Statistics, condolences, rehabilitation, a service's name, sports, a figure of speech.
        "vi que infarto é a maior causa de morte no Brasil",
        "meus sentimentos pelo seu Antônio, infarto, né?",
        "o narrador voltou a trabalhar depois do AVC",
        "minha filha fez um cartaz com o número do Disque-Intoxicação",
        "meu filho bateu a cabeça na parede pra entender fração",
        "o meu cavalo tropeçou e bateu a cabeça na cerca",
        "o juiz caiu e bateu a cabeça no gramado",
        "sou veterinária e atendo gato que lambeu desinfetante toda semana",
    ]);
}

#[test]
fn round_nineteen_clinical_words_spanish_and_the_first_sources_signs() {
    assert_fires(&[
        // Clinical words fold to the everyday ones.
        (
            "minha avó tá com dengue e teve uma síncope no banheiro",
            "dengue_alarme",
        ),
        (
            "meu pai bateu a cabeça e tá com cefaleia cada hora pior",
            "trauma_craniano",
        ),
        ("o bebê de um mês tá com hipertermia, 38,5", "febre_bebe"),
        // Spanish at the counter.
        (
            "mi hijo se cayó, se golpeó la cabeza y vomita",
            "trauma_craniano",
        ),
        (
            "mi bebé tiene diarrea y no quiere tomar nada, está muy dormida",
            "desidratacao_grave",
        ),
        // The signs of the first authors' kind of sources.
        (
            "meu marido tá com dengue e tá com uma dor abdominal intensa e contínua",
            "dengue_alarme",
        ),
        (
            "a pilhinha do controle sumiu e meu filho tá babando",
            "intoxicacao_crianca",
        ),
        (
            "depois de mexer no inseticida a menina tá vomitando",
            "intoxicacao_crianca",
        ),
        (
            "meu pai vive dizendo que a casa ficava mais leve se ele sumisse",
            "suicidio",
        ),
        ("minha amiga falou que dessa vez não vai errar", "suicidio"),
        (
            "é normal ele dormir tanto depois da pancada na cabeça?",
            "trauma_craniano",
        ),
        (
            "meu irmão caiu de moto e não lembra da queda",
            "trauma_craniano",
        ),
    ]);
    assert_silent(&[
        // Clinical adjectives and words whose meaning a fold would widen stay as said.
        "tô com um catarro preso no peito que não sai",
        "se eu engravidar e tiver sangramento tenho que ir pra maternidade? é só planejamento",
        // An exam's subject, a recovery that is going well.
        "terminei o módulo, a prova foi sobre síncope vasovagal",
        // Spanish "no" before a Portuguese noun is "em + o".
        "a febre no bebê já passou faz um mês e hoje ele tá ótimo",
    ]);
}

#[test]
fn round_twenty_learners_portuguese() {
    assert_fires(&[
        // A child, an ingestion said in the infinitive, and a systemic sign.
        (
            "filha 3 anos comer remédio de dormir da avó, agora ela sonolenta",
            "intoxicacao_crianca",
        ),
        ("bebê meu dois mês, febre 38", "febre_bebe"),
        (
            "criança diarreia muito, ela não querer beber, só deitar, molinha",
            "desidratacao_grave",
        ),
        (
            "eu bater cabeça na porta ontem, hoje tudo duplo",
            "trauma_craniano",
        ),
        (
            "eu grávida 30 semanas, bebê parar mexer desde ontem",
            "sangramento_gravidez",
        ),
    ]);
    assert_silent(&[
        // An ingestion in the infinitive without a sign is a question, not a poisoning.
        "meu filho de 3 anos pode comer o remédio amassado na papinha?",
    ]);
}

#[test]
fn round_twenty_one_a_short_answer_reads_with_its_question() {
    assert_fires(&[
        // The sign's subject is in the question, its predicate in the answer.
        (
            "O bebê tá com diarreia desde ontem. E a moleira? Tá afundada.",
            "desidratacao_grave",
        ),
        // "num" before a verb in -ecer is "não"; "sabe" after it is the verb.
        ("a mão esquerda dele num obedece desde cedo", "avc"),
        ("meu pai caiu e agora num sabe onde está", "avc"),
    ]);
    assert_silent(&[
        // What the answer says is its own: "normal" is not "afundada".
        "O bebê tá com diarreia desde ontem. E a moleira? Normal.",
        // A "no" denies what the answer says.
        "Tem sangue? Não. Só a diarreia mesmo, desde ontem.",
        // A long statement after a question starts a topic of its own.
        "tem como parcelar no cartao? em duas vez? vim pegar o remedio da farmacia popular da \
         minha mae, ta aqui o documento dela e a receita.",
    ]);
}

#[test]
fn round_twenty_two_warning_behaviour_counts_with_a_risk_said_alongside() {
    assert_fires(&[
        // Settling affairs, goodbyes, sudden calm, a plan or the means, with depression or an
        // attempt said in the same window (CVV / MS warning signs).
        (
            "minha irmã tava com depressão faz tempo e essa semana ficou calma do nada, \
             fez testamento e deu as joias dela pras sobrinhas",
            "suicidio",
        ),
        (
            "meu tio já tentou se enforcar uma vez e agora comprou uma corda, diz que vai \
             resolver tudo amanhã",
            "suicidio",
        ),
        // A told attempt stays a risk when the episode itself reads as past.
        (
            "meu filho teve uma tentativa de suicídio mês passado e ontem falou que da \
             próxima vez não vai falhar",
            "suicidio",
        ),
        // Two warning behaviours together, no risk named.
        (
            "meu avô se despediu de todo mundo por telefone e anda estranhamente calmo, \
             devolveu as ferramentas que tinha emprestado",
            "suicidio",
        ),
        // "só que" ends a retold span like "mas".
        (
            "aquela ideação que falaram na TV, só que hoje ele disse que ninguém ia sentir \
             falta dele",
            "suicidio",
        ),
    ]);
    assert_silent(&[
        // One behaviour alone, or a risk that ended well, is everyday life.
        "meu pai fez testamento no cartório porque vai viajar pra fora",
        "minha mãe teve depressão faz dois anos e hoje tá ótima, voltou a dançar",
        "comprei uma corda nova pro varal, tem prendedor?",
        "vou tentar de novo a prova do detran semana que vem",
    ]);
}

#[test]
fn round_twenty_two_evidence_and_signs_said_in_another_order() {
    assert_fires(&[
        // Skin pinch that returns slowly, done the way a nurse taught.
        (
            "puxei a pele da barriga dele com os dedos, beliscando como a pediatra mostrou, \
             e ela ficou dobrada, levou um tempão pra voltar",
            "desidratacao_grave",
        ),
        // Vomiting everything is vomiting.
        (
            "dou o soro de pouquinho em pouquinho e a menina bota tudo pra fora",
            "desidratacao_grave",
        ),
        // Missing pills and a child who had access; a medicine out of its drawer.
        (
            "o meu neto de dois anos tava mexendo na gaveta e agora tão faltando uns cinco \
             comprimidos da cartela",
            "intoxicacao_crianca",
        ),
        (
            "o remédio de pressão do vô tava fora do armário e o menino tá sonolento, quase \
             não acorda",
            "intoxicacao_crianca",
        ),
        (
            "a menina de três anos mexeu no armário de produtos e agora tá com a boca ardendo",
            "intoxicacao_crianca",
        ),
        // The nanny is not "babar".
        (
            "a babá achou o vidro de xarope aberto e vazio, o menino tá sonolento",
            "intoxicacao_crianca",
        ),
    ]);
    assert_silent(&[
        "a babá da minha filha é ótima, brinca o dia todo com ela",
        "demorou pra voltar do trabalho hoje, o trânsito tava terrível",
    ]);
}

#[test]
fn round_twenty_two_an_exception_speaks_of_its_own_mention() {
    assert_fires(&[
        // The vaccine is another dengue; the uncle's date is the uncle's.
        (
            "meu filho tá com dengue e vomita tudo desde cedo já tomei a segunda dose da \
             vacina da dengue semana passada",
            "dengue_alarme",
        ),
        (
            "a barriga da minha filha dói sem parar e ela tá com dengue desde segunda meu tio \
             infartou ano passado depois daquele susto hoje anda dez quilômetros por dia",
            "dengue_alarme",
        ),
        // "Receita? Não tenho." reads as one statement; a long answer's first clause too.
        (
            "me vê uma azitromicina. receita? não tenho, mas eu sempre tomo",
            "antibiotico_sem_receita",
        ),
        (
            "Me vê uma cefalexina? O senhor tem a receita? Não tenho não, é que minha \
             garganta sempre inflama nessa época do ano.",
            "antibiotico_sem_receita",
        ),
        // Another medicine's prescription does not cover this one.
        (
            "quero um clonazepam, mas não passei no médico. a receita do antibiótico do meu \
             filho tá aqui",
            "antibiotico_sem_receita",
        ),
    ]);
    assert_silent(&[
        // Its own mention still cancels.
        "tomei a vacina da dengue semana passada e o braço ficou doendo",
        "tive dengue ano passado, fiquei bem ruim, mas já passou",
        "vim pegar o clonazepam da minha mãe, a receita azul tá aqui",
    ]);
}

#[test]
fn round_twenty_two_co_narrated_signs() {
    assert_fires(&[
        // Rat poison and the cholinergic signs it gives, no ingestion said.
        (
            "o vizinho pôs chumbinho no quintal e o menino tava brincando lá, agora tá suando \
             muito, babando e com a pupila pequenininha",
            "intoxicacao_crianca",
        ),
        // A job that says who someone is blanks only itself.
        (
            "a tia dele que é médica olhou e disse que a moleira tá funda, ele tá com diarreia",
            "desidratacao_grave",
        ),
        // "não, olha…" answers on its own: the sign after it is affirmed.
        (
            "é só um soro, não, olha os olhos dele como tão fundos, tá com diarreia desde ontem",
            "desidratacao_grave",
        ),
        // A blow with no body part named, then the signs after a head injury.
        (
            "ele levou uma pancada na quina da mesa e vomitou três vezes, agora tá branco",
            "trauma_craniano",
        ),
        // The baby in the belly; weeks said bare.
        (
            "a bebê na barriga não mexe desde ontem à tarde",
            "sangramento_gravidez",
        ),
        (
            "trinta e duas semanas e o bebê parou de mexer",
            "sangramento_gravidez",
        ),
        // Weakness of one side said as a noun.
        ("minha mãe tá com fraqueza de um lado do corpo", "avc"),
        // Talk of dying that came back after an attempt.
        (
            "meu marido já tentou com remédio e essa semana voltou a falar em morrer",
            "suicidio",
        ),
    ]);
    assert_silent(&[
        "bateu o joelho na quina da mesa, uma pancada feia, tá roxo",
        "faz doze semanas que eu tô com essa tosse chata",
        "torci o pé e o lado direito tá fraco",
        "o número do centro de intoxicação tá colado na geladeira desde que o menino nasceu",
        "a vizinha que é enfermeira sempre conta do plantão, ontem foi corrido",
    ]);
}

#[test]
fn round_twenty_two_official_signs_said_other_ways() {
    // The pharmacist's question read without punctuation ("tá conseguindo beber? tô") is not
    // a refusal to drink.
    let got = ids("diarreia de viagem quantas vezes umas quatro não tá conseguindo beber tô");
    assert!(!got.iter().any(|i| i == "desidratacao_grave"), "{got:?}");
    assert_fires(&[
        (
            "tô com dengue e tô sentindo uma dor muito forte no estômago",
            "dengue_alarme",
        ),
        ("tô com dengue e tá doendo o fígado", "dengue_alarme"),
        ("tô com dengue e tô fazendo pouco xixi", "dengue_alarme"),
        (
            "minha mãe tá com dengue e não tá falando coisa com coisa",
            "dengue_alarme",
        ),
        (
            "tô com dengue e menstruei fora de hora, muito forte",
            "dengue_alarme",
        ),
        ("ele tá com dengue e tá sem força pra nada", "dengue_alarme"),
        (
            "o nenê tá com diarreia e não tá mamando",
            "desidratacao_grave",
        ),
        (
            "meu filho evacuou umas quinze vezes hoje e tá prostrado",
            "desidratacao_grave",
        ),
        (
            "minha mãe idosa tá com diarreia, bem fraquinha, não levanta",
            "desidratacao_grave",
        ),
        (
            "minha filha de um ano pegou o tubo de pomada e comeu",
            "intoxicacao_crianca",
        ),
        (
            "o menino tomou remédio de gente grande",
            "intoxicacao_crianca",
        ),
        (
            "ele engoliu um pouco do gel de lavar louça",
            "intoxicacao_crianca",
        ),
        (
            "meu filho tá dizendo que a vida não tem mais jeito",
            "suicidio",
        ),
        ("ele disse que tá todo mundo melhor sem ele", "suicidio"),
        (
            "eu não aguento mais, só queria que tudo parasse",
            "suicidio",
        ),
        (
            "meu pai disse que comprou um revólver pra acabar com isso",
            "suicidio",
        ),
        (
            "ela disse que ia tomar todos os remédios da caixa",
            "suicidio",
        ),
        ("tô pensando em tomar veneno", "suicidio"),
        ("ela anda dizendo que não vê saída pra nada", "suicidio"),
        (
            "ele levou uma bolada na cabeça e ficou meio bobo, repetindo as mesmas perguntas",
            "trauma_craniano",
        ),
        (
            "meu pai de 75 anos caiu no banheiro e bateu a testa",
            "trauma_craniano",
        ),
        ("minha mãe ficou fraca de um lado do corpo", "avc"),
        (
            "o bebê tá com diarreia há dois dias e tá muito caído",
            "desidratacao_grave",
        ),
        (
            "minha filha engoliu o creme de assadura",
            "intoxicacao_crianca",
        ),
        // What someone cannot do, or keeps doing.
        (
            "ele bateu a cabeça e não consegue ficar acordado",
            "trauma_craniano",
        ),
        (
            "o menino bateu a cabeça e não para de dormir",
            "trauma_craniano",
        ),
        ("tô com dengue e não consigo ficar de pé", "dengue_alarme"),
        (
            "ela tá com diarreia e não tá conseguindo beber nem água",
            "desidratacao_grave",
        ),
        ("não tenho mais vontade de nada, nem de viver", "suicidio"),
        ("a criança deglutiu uma moeda", "intoxicacao_crianca"),
        (
            "peguei o menino com o frasco de remédio na mão e a boca suja de xarope",
            "intoxicacao_crianca",
        ),
        ("ele tomou uma caixa de calmante", "intoxicacao_crianca"),
        (
            "tô grávida e caí de barriga no chão",
            "sangramento_gravidez",
        ),
        (
            "minha mãe tá com a pressão 20 por 12 e dor de cabeça",
            "avc",
        ),
        (
            "a asma dele atacou e a bombinha não tá fazendo efeito",
            "falta_de_ar",
        ),
    ]);
    assert_silent(&[
        "meu filho tá com diarreia e o cabelo dele tá todo caído",
        "não tenho vontade nem de comer",
        "comprei uma caixa de dipirona pra deixar em casa",
        "minha pressão tá 13 por 8 e tô com dor de cabeça",
        "caí de barriga na piscina, tô com a barriga vermelha",
        "o time tá melhor sem ele, esse técnico era ruim",
        "queria que tudo parasse de subir de preço",
        "vou tomar todos os comprimidos certinho como o médico mandou",
        "tô batendo cabeça com a declaração do imposto de renda desde segunda",
        "minha filha adora creme de leite, comeu o pote todo",
        "ela não vê a hora de sair de férias",
    ]);
}
