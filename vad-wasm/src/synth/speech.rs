//! Speech for generated sets: Brazilian-Portuguese counter sentences synthesized with espeak-ng
//! (varied voice, speed and pitch) and converted to 16 kHz with sox, plus the neural-TTS clips
//! of `shared/audio/speech` when present. Written for this evaluation from descriptions of what
//! customers say at a counter; none of these sentences is in the shared dev-set generator.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::SynthError;
use super::rng::ClipRng;

/// Sentences a customer or a clerk might say (none taken from the dev set).
pub const SENTENCES: [&str; 24] = [
    "Boa tarde, a senhora tem algum remédio para enjoo de viagem?",
    "Minha filha está com febre alta desde a madrugada.",
    "Quero um analgésico que não faça mal para o estômago.",
    "Tem vitamina C efervescente de um grama?",
    "O farmacêutico pode medir a minha pressão, por favor?",
    "Esse xarope pode ser dado para criança de três anos?",
    "Eu tomo remédio para pressão, posso tomar ibuprofeno?",
    "Preciso de um colírio para olho seco e vermelho.",
    "Vocês aceitam cartão de débito ou só dinheiro?",
    "Tem pomada para assadura de bebê?",
    "Estou com o nariz entupido e espirrando muito.",
    "Qual desses repelentes dura mais tempo na pele?",
    "Meu marido cortou o dedo, preciso de gaze e esparadrapo.",
    "A receita do antibiótico está aqui, é para sete dias.",
    "Tem teste de gravidez mais barato?",
    "Sinto uma queimação no peito depois de comer.",
    "Preciso de um protetor labial com filtro solar.",
    "Minha garganta arranha quando eu engulo.",
    "Quanto fica a caixa com trinta comprimidos?",
    "Tem alguma coisa para picada de inseto que coça muito?",
    "Eu queria um termômetro digital, por favor.",
    "O senhor sabe se esse remédio dá sono?",
    "Estou grávida de cinco meses, posso usar esse creme?",
    "Obrigada, pode colocar numa sacola.",
];

/// Words said one by one (a CPF or a phone number read out, a count, yes/no answers).
pub const WORDS: [&str; 16] = [
    "zero", "um", "dois", "três", "quatro", "cinco", "seis", "sete", "oito", "nove", "sim", "não",
    "meia", "traço", "ponto", "isso",
];

/// espeak-ng voices (Brazilian Portuguese with variants).
const VOICES: [&str; 8] = [
    "pt-br",
    "pt-br+f2",
    "pt-br+m3",
    "pt-br+f4",
    "pt-br+klatt",
    "pt-br+m7",
    "pt-br+f5",
    "pt-br+m1",
];

/// Neural-TTS clips of the shared fixtures (used when the directory exists).
const SHARED_CLIPS: [&str; 3] = ["ae_pt_contagem", "ae_pt_ola_mundo", "ae_pt_pangrama"];

/// An espeak-ng speaker.
#[derive(Debug, Clone, Copy)]
pub struct Voice {
    name: &'static str,
    speed: usize,
    pitch: usize,
}

/// Where speech comes from.
pub struct SpeechSource {
    shared: Vec<Vec<f32>>,
    scratch: PathBuf,
}

impl SpeechSource {
    /// Checks that espeak-ng and sox run; loads the shared neural-TTS clips if `shared_speech`
    /// holds them. `scratch` is a writable directory for intermediate files.
    pub fn new(shared_speech: Option<&Path>, scratch: &Path) -> Result<Self, SynthError> {
        for tool in ["espeak-ng", "sox"] {
            let ok = Command::new(tool)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success());
            if !ok {
                return Err(SynthError::Tool(tool));
            }
        }
        let mut shared = Vec::new();
        if let Some(dir) = shared_speech {
            for name in SHARED_CLIPS {
                let path = dir.join(format!("{name}.wav"));
                if let Ok(pcm) = crate::eval::read_wav(&path) {
                    shared.push(pcm.iter().map(|&s| f32::from(s) / 32768.0).collect());
                }
            }
        }
        Ok(Self {
            shared,
            scratch: scratch.to_owned(),
        })
    }

    /// One utterance, peak-normalised to 1.0.
    pub fn utterance(&self, rng: &mut ClipRng) -> Result<Vec<f32>, SynthError> {
        if !self.shared.is_empty() && rng.chance(0.25) {
            return Ok(normalise(rng.pick(&self.shared).clone()));
        }
        let text = *rng.pick(&SENTENCES);
        let voice = *rng.pick(&VOICES);
        let speed = rng.below(125, 185);
        let pitch = rng.below(25, 75);
        self.espeak(text, voice, speed, pitch).map(normalise)
    }

    /// A speaker for a run of words: espeak-ng voice, speed and pitch.
    pub fn voice(&self, rng: &mut ClipRng) -> Voice {
        Voice {
            name: VOICES[rng.below(0, VOICES.len())],
            speed: rng.below(125, 185),
            pitch: rng.below(25, 75),
        }
    }

    /// One word of [`WORDS`] said by `voice`, peak-normalised to 1.0.
    pub fn word(&self, rng: &mut ClipRng, voice: &Voice) -> Result<Vec<f32>, SynthError> {
        let text = *rng.pick(&WORDS);
        self.espeak(text, voice.name, voice.speed, voice.pitch)
            .map(normalise)
    }

    /// Synthesizes `text` at 16 kHz mono.
    pub fn espeak(
        &self,
        text: &str,
        voice: &str,
        speed: usize,
        pitch: usize,
    ) -> Result<Vec<f32>, SynthError> {
        let id = format!(
            "{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let raw = self.scratch.join(format!("tts-{id}.wav"));
        let out = self.scratch.join(format!("tts-{id}-16k.wav"));
        let run = |cmd: &mut Command, tool: &'static str| -> Result<(), SynthError> {
            let o = cmd.output().map_err(|_| SynthError::Tool(tool))?;
            if o.status.success() {
                Ok(())
            } else {
                Err(SynthError::Failed(
                    tool,
                    String::from_utf8_lossy(&o.stderr).into(),
                ))
            }
        };
        run(
            Command::new("espeak-ng")
                .args([
                    "-v",
                    voice,
                    "-s",
                    &speed.to_string(),
                    "-p",
                    &pitch.to_string(),
                    "-w",
                ])
                .arg(&raw)
                .arg(text),
            "espeak-ng",
        )?;
        run(
            Command::new("sox")
                .arg(&raw)
                .args(["-r", "16000", "-c", "1", "-b", "16"])
                .arg(&out),
            "sox",
        )?;
        let pcm = crate::eval::read_wav(&out).map_err(|e| SynthError::Failed("sox", e.to_string()));
        let _ = std::fs::remove_file(&raw);
        let _ = std::fs::remove_file(&out);
        Ok(pcm?.iter().map(|&s| f32::from(s) / 32768.0).collect())
    }
}

static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn normalise(mut x: Vec<f32>) -> Vec<f32> {
    let peak = x.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    if peak > 0.0 {
        x.iter_mut().for_each(|v| *v /= peak);
    }
    x
}
