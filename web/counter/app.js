// The counter page: key, microphone, socket, outbox and what the pharmacist sees.
// Audio path: microphone → AudioWorklet (capture-worklet.js, device rate, mono) → Web Worker
// (frontend-worker.js: resample to 16 kHz, vad-wasm front end) → this page → WebSocket /ws.
// Segment mode (default) sends only speech segments (docs/protocol.md Part 2), each kept in
// IndexedDB until its `segmento_ok`; "legado (PCM bruto)" streams raw PCM (Part 1).
import { Outbox } from "./outbox.js";

const KEY_STORAGE = "balto.chave";
const $ = (id) => document.getElementById(id);
const enc = new TextEncoder();

const state = {
  key: localStorage.getItem(KEY_STORAGE) || "",
  running: false,
  mode: "segmentos", // or "bruto"
  ws: null,
  authed: false,
  backoffMs: 500,
  reconnectTimer: null,
  reconnects: 0,
  bytes: 0,
  audioMs: 0,
  frameUs: 0,
  cutIds: [],
  acked: new Set(),
  resent: 0,
  pending: new Map(), // id → {seg, stored: Promise}
  recommendations: 0,
  transcripts: new Map(),
  audio: null, // {ctx, stream, node, worker}
  outbox: null,
  finished: null,
  closeTimer: null,
  loseAcks: false,
  keyRejected: false,
};

// For tests and support: what the page did, by segment id.
window.baltoCounter = {
  cutIds: () => state.cutIds.slice(),
  ackedIds: () => [...state.acked],
  pendingIds: () => [...state.pending.keys()],
  // Test hook: behave as if every `segmento_ok` were lost on the way (the segment stays in the
  // outbox and is re-sent with its id after the next reconnection).
  loseAcks: (on) => {
    state.loseAcks = Boolean(on);
  },
};

function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

function fmtBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

function notice(text) {
  $("aviso").textContent = text;
}

function setConnection(s, label) {
  const el = $("conexao");
  el.dataset.state = s;
  el.textContent = label;
}

function render() {
  const st = $("estatisticas").dataset;
  st.mode = state.mode;
  st.cut = state.cutIds.length;
  st.acked = state.acked.size;
  st.pending = state.pending.size;
  st.resent = state.resent;
  st.bytes = state.bytes;
  st.audioMs = Math.round(state.audioMs);
  st.frameUs = state.frameUs.toFixed(2);
  st.reconnects = state.reconnects;
  st.recommendations = state.recommendations;
  $("st-modo").textContent = state.mode === "bruto" ? "legado (PCM bruto)" : "segmentos (só fala)";
  $("st-bytes").textContent = fmtBytes(state.bytes);
  $("st-taxa").textContent = state.audioMs > 1000 ? `${fmtBytes(Math.round((state.bytes * 60000) / state.audioMs))}/min` : "—";
  $("st-seg").textContent = `${state.cutIds.length} / ${state.acked.size} / ${state.pending.size}`;
  $("st-cpu").textContent = state.frameUs ? `${state.frameUs.toFixed(0)} µs (${(state.frameUs / 100).toFixed(2)} % de um núcleo)` : "—";
  $("st-rec").textContent = String(state.reconnects);
}

function renderKey() {
  const has = state.key !== "";
  $("chave-form").hidden = has;
  $("trocar-chave").hidden = !has || (state.running && !state.keyRejected);
  $("chave-estado").textContent = has ? (state.keyRejected ? "A chave guardada foi recusada pelo servidor." : "Chave guardada neste navegador.") : "Digite a chave do balcão (fornecida pelo administrador).";
  $("microfone").disabled = !has;
  $("modo-bruto").disabled = state.running;
}

// ---- socket ----------------------------------------------------------------------------

function send(data) {
  state.ws.send(data);
  state.bytes += typeof data === "string" ? enc.encode(data).length : data.byteLength;
}

function sendSegment(seg) {
  const header = { comando: "segmento", id: seg.id, inicio_ms: seg.inicioMs, duracao_ms: seg.duracaoMs, formato: "pcm_s16le_16k" };
  send(JSON.stringify(header));
  send(seg.pcm);
}

function connect() {
  clearTimeout(state.reconnectTimer);
  state.reconnectTimer = null;
  const url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws`;
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  state.ws = ws;
  setConnection("conectando", "conectando…");
  ws.onopen = () => send(JSON.stringify({ comando: "auth", api_key: state.key }));
  ws.onmessage = (e) => {
    if (typeof e.data !== "string") return;
    let m;
    try {
      m = JSON.parse(e.data);
    } catch {
      return;
    }
    onServerMessage(m);
  };
  ws.onclose = (e) => {
    if (state.ws !== ws) return;
    state.authed = false;
    state.ws = null;
    if (e.code === 4001) {
      // No retry with a refused key (failed attempts get the address blocked): segments wait in
      // the outbox until a new key is saved.
      state.keyRejected = true;
      setConnection("chave_invalida", "chave inválida");
      notice("A chave do balcão foi recusada. Confira a chave ou peça uma nova ao administrador.");
      renderKey();
      return;
    }
    if (!state.running && state.pending.size === 0) {
      setConnection("desligado", "desligado");
      return;
    }
    const wait = state.backoffMs;
    state.backoffMs = Math.min(state.backoffMs * 2, 10000);
    state.reconnects++;
    setConnection("reconectando", `reconectando em ${(wait / 1000).toFixed(1)} s`);
    state.reconnectTimer = setTimeout(connect, wait);
    render();
  };
}

function onServerMessage(m) {
  switch (m.comando) {
    case "auth_ok":
      state.authed = true;
      state.backoffMs = 500;
      setConnection("conectado", "conectado");
      notice("");
      // Re-send everything not yet acknowledged, with its same id (the server dedupes).
      for (const { seg } of state.pending.values()) {
        if (seg.sent) state.resent++;
        seg.sent = true;
        sendSegment(seg);
      }
      break;
    case "segmento_ok":
      if (!state.loseAcks) ack(m.id);
      break;
    case "transcricao":
      showTranscript(m.id, m.texto);
      break;
    case "recomendar":
      showRecommendation(m);
      break;
    case "erro":
      notice(`Servidor: ${m.mensagem || m.codigo}`);
      break;
  }
  render();
}

async function ack(id) {
  const p = state.pending.get(id);
  state.acked.add(id);
  if (!p) return;
  state.pending.delete(id);
  try {
    await p.stored;
    await state.outbox.delete(id);
  } catch (err) {
    console.warn("outbox delete", err);
  }
  render();
  maybeDisconnect();
}

// ---- what the pharmacist sees ----------------------------------------------------------

function showTranscript(id, texto) {
  state.transcripts.set(id, texto);
  const li = document.createElement("li");
  li.textContent = texto;
  const list = $("falas");
  list.prepend(li);
  while (list.children.length > 8) list.lastElementChild.remove();
}

function showRecommendation(m) {
  state.recommendations++;
  const li = document.createElement("li");
  li.dataset.testid = "recommendation";
  li.dataset.confianca = m.confianca || "";
  const head = document.createElement("div");
  const prod = document.createElement("span");
  prod.className = "produto";
  prod.textContent = m.produto;
  const conf = document.createElement("span");
  conf.className = "confianca";
  conf.textContent = `confiança ${m.confianca === "media" ? "média" : m.confianca}`;
  head.append(prod, conf);
  const exp = document.createElement("p");
  exp.className = "explicacao";
  exp.textContent = m.explicacao;
  const base = document.createElement("p");
  base.className = "base";
  base.textContent = `“${m.transcricao_base}”`;
  li.append(head, exp, base);
  $("recomendacoes").prepend(li);
  $("vazio").hidden = true;
}

// ---- audio -----------------------------------------------------------------------------

async function onWorkerMessage(e) {
  const m = e.data;
  switch (m.type) {
    case "meter": {
      const pct = Math.max(0, Math.min(100, ((m.levelDb - 20) / 70) * 100));
      $("nivel").style.width = `${pct}%`;
      const vad = $("vad");
      vad.dataset.speech = String(m.speech);
      vad.textContent = m.speech ? "fala" : "silêncio";
      state.frameUs = m.frameUs;
      state.audioMs = m.audioMs;
      render();
      break;
    }
    case "segment": {
      const seg = {
        id: newId(),
        inicioMs: Math.round(m.startMs),
        duracaoMs: Math.max(1, Math.round(m.endMs - m.startMs)),
        pcm: m.pcm,
        sent: false,
      };
      state.cutIds.push(seg.id);
      const stored = state.outbox.put({ id: seg.id, inicioMs: seg.inicioMs, duracaoMs: seg.duracaoMs, pcm: seg.pcm });
      state.pending.set(seg.id, { seg, stored });
      if (state.authed) {
        seg.sent = true;
        sendSegment(seg);
      } else if (!state.ws && !state.reconnectTimer && !state.keyRejected) {
        connect();
      }
      render();
      break;
    }
    case "pcm":
      if (state.authed && state.mode === "bruto") send(m.pcm);
      break;
    case "finished":
      if (state.finished) state.finished();
      break;
    case "error":
      notice(`Erro no processamento de áudio: ${m.message}`);
      break;
  }
}

async function startMic() {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
  });
  const ctx = new AudioContext();
  await ctx.audioWorklet.addModule("capture-worklet.js");
  const source = ctx.createMediaStreamSource(stream);
  // One (silent) output connected to the destination keeps the node pulled by the graph.
  const node = new AudioWorkletNode(ctx, "balto-capture", { numberOfInputs: 1, numberOfOutputs: 1 });
  const worker = state.worker || new Worker("frontend-worker.js", { type: "module" });
  state.worker = worker;
  worker.onmessage = onWorkerMessage;
  const ch = new MessageChannel();
  const ready = new Promise((resolve, reject) => {
    const prev = worker.onmessage;
    worker.onmessage = (e) => {
      if (e.data.type === "ready") {
        worker.onmessage = prev;
        resolve();
      } else if (e.data.type === "error") reject(new Error(e.data.message));
    };
  });
  worker.postMessage({ type: "start", sampleRate: ctx.sampleRate, mode: state.mode === "bruto" ? "raw" : "segments", port: ch.port2 }, [ch.port2]);
  await ready;
  node.port.postMessage({ port: ch.port1 }, [ch.port1]);
  source.connect(node);
  node.connect(ctx.destination);
  await ctx.resume();
  state.audio = { ctx, stream, node, source };
  $("estatisticas").dataset.sampleRate = ctx.sampleRate;
}

async function stopMic() {
  const a = state.audio;
  state.audio = null;
  if (!a) return;
  a.source.disconnect();
  a.stream.getTracks().forEach((t) => t.stop());
  await a.ctx.close();
  const done = new Promise((resolve) => (state.finished = resolve));
  state.worker.postMessage({ type: "stop" });
  await done;
  state.finished = null;
}

// Once the microphone is off and every segment is acknowledged, the socket is closed after a
// short grace period, so the transcript and recommendation of the last segment still arrive.
function maybeDisconnect() {
  if (state.running || state.pending.size > 0 || !state.ws || state.closeTimer) return;
  state.closeTimer = setTimeout(() => {
    state.closeTimer = null;
    if (state.running || state.pending.size > 0 || !state.ws) return;
    const ws = state.ws;
    state.ws = null;
    state.authed = false;
    ws.close(1000);
    setConnection("desligado", "desligado");
  }, 3000);
}

async function toggle() {
  const btn = $("microfone");
  btn.disabled = true;
  try {
    if (!state.running) {
      state.mode = $("modo-bruto").checked ? "bruto" : "segmentos";
      state.bytes = 0;
      state.audioMs = 0;
      state.running = true;
      renderKey();
      await startMic();
      if (!state.ws) connect();
      btn.textContent = "Desligar microfone";
      btn.dataset.on = "true";
    } else {
      state.running = false;
      await stopMic();
      btn.textContent = "Ligar microfone";
      btn.dataset.on = "false";
      maybeDisconnect();
    }
  } catch (err) {
    state.running = false;
    notice(`Não foi possível usar o microfone: ${err.message || err}`);
  } finally {
    btn.disabled = state.key === "";
    renderKey();
    render();
  }
}

async function main() {
  state.outbox = await Outbox.open();
  // Segments left from an earlier visit (tab closed or server away) are sent again.
  for (const seg of await state.outbox.all()) {
    seg.sent = false;
    state.pending.set(seg.id, { seg, stored: Promise.resolve() });
  }
  $("chave-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const v = $("chave").value.trim();
    if (!v) return;
    state.key = v;
    state.keyRejected = false;
    localStorage.setItem(KEY_STORAGE, v);
    $("chave").value = "";
    notice("");
    renderKey();
    if ((state.running || state.pending.size > 0) && !state.ws) connect();
  });
  $("trocar-chave").addEventListener("click", () => {
    state.key = "";
    localStorage.removeItem(KEY_STORAGE);
    renderKey();
  });
  $("microfone").addEventListener("click", toggle);
  $("modo-bruto").addEventListener("change", (e) => {
    state.mode = e.target.checked ? "bruto" : "segmentos";
    render();
  });
  renderKey();
  render();
  if (state.key && state.pending.size > 0) connect();
  document.body.dataset.ready = "true";
}

main().catch((err) => notice(`Falha ao iniciar: ${err.message || err}`));
