//! The admin API (`/api/admin/*`, routes listed in [`balto_core::admin`]) as an axum
//! [`Router`] over trait objects, so local-dev serves it over SQLite and the `admin-api` Lambda
//! over DynamoDB. Capabilities a backend lacks (audio, backup, live status) answer 501.
//!
//! Security: login with the admin secret (constant-time compare) → signed short-lived token as
//! an HttpOnly SameSite=Strict cookie (Secure when configured) and in the body for bearer use;
//! per-address login throttling with exponential back-off (429 + `Retry-After`); writes need the
//! `x-balto-admin: 1` header and a same-origin `Origin` when present (403); bodies over
//! [`MAX_BODY_BYTES`] get 413; security headers on every answer.

mod auth;
pub mod edge_keys;
pub mod export;
pub mod reports;

pub use auth::ThrottlePolicy;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{delete, get, post, put};
use balto_core::admin::{
    API_PREFIX, CreateKeyRequest, CreatedKey, ErrorBody, HistoryQuery, LIVE_STREAM_INTERVAL_MS,
    LoginRequest, LoginResponse, MAX_BODY_BYTES, MAX_CORRECTED_TEXT_CHARS, MAX_EXPORT_ROWS,
    MAX_NOTE_CHARS, MAX_PAGE_SIZE, Page, SegmentDetail, SegmentRow, SessionDetail, SessionInfo,
    SuggestionReview, SuggestionReviewRequest, TranscriptReview, TranscriptReviewRequest,
};
use balto_core::admin_auth::{TOKEN_NONCE_BYTES, TokenClaims, TokenKey, secret_matches};
use balto_core::admin_store::{AdminStore, Backup, KeyPublisher, LiveStatus, SegmentAudio};
use balto_core::key_record::KeyRecord;
use balto_core::keys::{IssuedKey, KeyPepper, RANDOM_BYTES_NEEDED};
use balto_core::records::{CounterKey, SegmentStatus, StoredKey};
use balto_core::storage::{Storage, StorageError};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Unix time in milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// How the admin API behaves.
#[derive(Clone)]
pub struct AdminConfig {
    /// The admin secret (never logged).
    pub secret: String,
    /// Lifetime of a session token.
    pub session_ttl: Duration,
    /// Mark the session cookie `Secure` (set when served over https).
    pub secure_cookie: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    pub throttle: ThrottlePolicy,
    /// STT price per audio minute, by provider name, for the comparison.
    pub cost_per_minute_usd: BTreeMap<String, f64>,
}

impl std::fmt::Debug for AdminConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminConfig")
            .field("secret", &"<redacted>")
            .field("session_ttl", &self.session_ttl)
            .field("secure_cookie", &self.secure_cookie)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("throttle", &self.throttle)
            .field("cost_per_minute_usd", &self.cost_per_minute_usd)
            .finish()
    }
}

impl AdminConfig {
    /// Defaults around `secret`: 2 h sessions, non-Secure cookie (plain-http local-dev), no proxy.
    pub fn new(secret: impl Into<String>) -> AdminConfig {
        AdminConfig {
            secret: secret.into(),
            session_ttl: Duration::from_secs(2 * 3600),
            secure_cookie: false,
            trust_forwarded_for: false,
            throttle: ThrottlePolicy::default(),
            cost_per_minute_usd: BTreeMap::new(),
        }
    }

    /// Parses `provider=price,provider=price` (USD per audio minute).
    pub fn parse_prices(text: &str) -> Result<BTreeMap<String, f64>, String> {
        let mut out = BTreeMap::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, price) = part
                .split_once('=')
                .ok_or_else(|| format!("expected provider=price, got {part:?}"))?;
            let price: f64 = price
                .trim()
                .parse()
                .map_err(|_| format!("bad price in {part:?}"))?;
            if !price.is_finite() || price < 0.0 {
                return Err(format!("bad price in {part:?}"));
            }
            out.insert(name.trim().to_string(), price);
        }
        Ok(out)
    }
}

/// What the admin API reads and writes. `None` capabilities answer 501.
#[derive(Clone)]
pub struct AdminBackends {
    pub storage: Arc<dyn Storage>,
    pub admin: Arc<dyn AdminStore>,
    pub audio: Option<Arc<dyn SegmentAudio>>,
    pub backup: Option<Arc<dyn Backup>>,
    pub live: Option<Arc<dyn LiveStatus>>,
    /// New counter keys are hashed with this server secret (v2); `None`: unpeppered v1 hashes.
    pub key_pepper: Option<KeyPepper>,
    /// Where keys are published for the edge (the Worker's KV); `None`: nowhere else.
    pub edge_keys: Option<Arc<dyn KeyPublisher>>,
}

#[derive(Clone)]
pub(crate) struct AdminState {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    config: AdminConfig,
    key: TokenKey,
    backends: AdminBackends,
    throttle: auth::Throttle,
    revoked: auth::Revoked,
}

impl std::ops::Deref for AdminState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.inner
    }
}

/// A failed admin request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("sessão ausente, inválida ou expirada")]
    Unauthorized,
    #[error("segredo de administração incorreto")]
    WrongSecret,
    #[error("{0}")]
    Forbidden(String),
    #[error("muitas tentativas; tente de novo em {0} s")]
    Throttled(u64),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("não encontrado: {0}")]
    NotFound(String),
    #[error("não disponível neste servidor: {0}")]
    NotImplemented(&'static str),
    #[error("{0}")]
    Conflict(String),
    /// A service the change depends on (the edge's key store) did not confirm it.
    #[error("{0}")]
    Unavailable(String),
    #[error("erro interno")]
    Internal(String),
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound(what) => ApiError::NotFound(what),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self {
            ApiError::Unauthorized | ApiError::WrongSecret => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::NotImplemented(_) => StatusCode::NOT_IMPLEMENTED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Unavailable(_) => StatusCode::BAD_GATEWAY,
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "admin api internal error");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let mut resp = (
            status,
            Json(ErrorBody {
                error: self.to_string(),
            }),
        )
            .into_response();
        if let ApiError::Throttled(secs) = self
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// Every route of the admin API under `/api/admin`, with its guards. Merge it into the server's
/// router; requests need `ConnectInfo<SocketAddr>` for per-address throttling (else they share
/// one bucket, or use `X-Forwarded-For` when trusted).
pub fn router<S>(config: AdminConfig, backends: AdminBackends) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let state = AdminState {
        inner: Arc::new(Inner {
            key: auth::token_key(&config.secret),
            config,
            backends,
            throttle: auth::Throttle::default(),
            revoked: auth::Revoked::default(),
        }),
    };
    let protected = Router::new()
        .route("/logout", post(logout))
        .route("/session", get(session_info))
        .route("/live", get(live))
        .route("/live/stream", get(live_stream))
        .route("/sessions", get(list_sessions))
        .route("/sessions/{id}", get(session_detail))
        .route("/segments", get(list_segments))
        .route("/segments/{id}", get(segment_detail))
        .route("/segments/{id}/audio", get(segment_audio))
        .route("/segments/{id}/retry", post(retry_segment))
        .route("/segments/{id}/transcript-review", put(review_transcript))
        .route("/segments/{id}/suggestion-review", put(review_suggestion))
        .route("/accuracy", get(accuracy))
        .route("/comparison", get(comparison))
        .route("/keys", get(list_keys).post(create_key))
        .route("/keys/{key_id}", delete(revoke_key))
        .route("/export/segments.csv", get(export_segments_csv))
        .route("/export/segments.xlsx", get(export_segments_xlsx))
        .route("/export/sessions.csv", get(export_sessions_csv))
        .route("/export/sessions.xlsx", get(export_sessions_xlsx))
        .route("/backup", get(backup))
        .layer(from_fn(auth::require_csrf))
        .layer(from_fn_with_state(state.clone(), auth::require_session));
    let public = Router::new()
        .route("/login", post(login))
        .layer(from_fn(auth::require_csrf));
    let api = public
        .merge(protected)
        .fallback(|| async { ApiError::NotFound("rota".into()) })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            MAX_BODY_BYTES,
        ))
        .layer(from_fn(api_headers))
        .with_state(state);
    Router::new().nest(API_PREFIX, api)
}

/// Headers for every API answer: no sniffing, no framing, no caching, no referrer, and a CSP
/// that forbids everything (answers are data, never pages).
async fn api_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
        (
            "content-security-policy",
            "default-src 'none'; frame-ancestors 'none'; sandbox",
        ),
        ("cross-origin-resource-policy", "same-origin"),
    ] {
        h.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    resp
}

async fn login(State(state): State<AdminState>, req: Request) -> ApiResult<Response> {
    let ip = auth::client_ip(
        req.headers(),
        auth::peer_of(&req),
        state.config.trust_forwarded_for,
    );
    if let Some(wait) = state.throttle.blocked_for(ip) {
        return Err(ApiError::Throttled(wait.as_secs().max(1)));
    }
    let bytes = axum::body::to_bytes(req.into_body(), MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::BadRequest("corpo ilegível ou grande demais".into()))?;
    let body: LoginRequest = serde_json::from_slice(&bytes)
        .map_err(|_| ApiError::BadRequest("esperado {\"secret\": \"...\"}".into()))?;
    if !secret_matches(&body.secret, &state.config.secret) {
        tracing::warn!(client = %ip, "admin login refused: wrong secret");
        if let Some(block) = state.throttle.failed(ip, &state.config.throttle) {
            return Err(ApiError::Throttled(block.as_secs().max(1)));
        }
        return Err(ApiError::WrongSecret);
    }
    state.throttle.succeeded(ip);
    let mut nonce = [0u8; TOKEN_NONCE_BYTES];
    getrandom::fill(&mut nonce).map_err(|e| ApiError::Internal(e.to_string()))?;
    let now = now_ms();
    let ttl = state.config.session_ttl;
    let expires = now + ttl.as_millis() as i64;
    let token = state.key.sign(now, expires, &nonce);
    tracing::info!(client = %ip, "admin login");
    let cookie = auth::session_cookie(&token, ttl.as_secs(), state.config.secure_cookie);
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(LoginResponse {
            token,
            expires_at_ms: expires,
        }),
    )
        .into_response())
}

async fn logout(
    State(state): State<AdminState>,
    axum::Extension(claims): axum::Extension<TokenClaims>,
) -> Response {
    state.revoked.revoke(&claims, now_ms());
    (
        StatusCode::NO_CONTENT,
        [(
            header::SET_COOKIE,
            auth::clear_cookie(state.config.secure_cookie),
        )],
    )
        .into_response()
}

async fn session_info(axum::Extension(claims): axum::Extension<TokenClaims>) -> Json<SessionInfo> {
    Json(SessionInfo {
        issued_at_ms: claims.issued_ms,
        expires_at_ms: claims.expires_ms,
    })
}

fn live_source(state: &AdminState) -> ApiResult<Arc<dyn LiveStatus>> {
    state
        .backends
        .live
        .clone()
        .ok_or(ApiError::NotImplemented("monitoramento ao vivo"))
}

async fn live(State(state): State<AdminState>) -> ApiResult<Response> {
    let live = live_source(&state)?;
    Ok(Json(live.snapshot(now_ms()).await?).into_response())
}

async fn live_stream(
    State(state): State<AdminState>,
    axum::Extension(claims): axum::Extension<TokenClaims>,
) -> ApiResult<Response> {
    let live = live_source(&state)?;
    let stream = futures_util::stream::unfold(true, move |first| {
        let live = Arc::clone(&live);
        let state = state.clone();
        let nonce = claims.nonce.clone();
        let expires_ms = claims.expires_ms;
        async move {
            if !first {
                tokio::time::sleep(Duration::from_millis(LIVE_STREAM_INTERVAL_MS)).await;
            }
            let now = now_ms();
            // The stream ends with the session.
            if now >= expires_ms || state.revoked.is_revoked(&nonce) {
                return None;
            }
            let event = match live.snapshot(now).await {
                Ok(snapshot) => Event::default()
                    .event("snapshot")
                    .json_data(snapshot)
                    .unwrap_or_else(|_| Event::default().event("error")),
                Err(e) => {
                    tracing::warn!(error = %e, "live snapshot failed");
                    Event::default()
                        .event("error")
                        .data("falha ao ler os dados")
                }
            };
            Some((Ok::<_, std::convert::Infallible>(event), false))
        }
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}

fn checked(q: HistoryQuery) -> ApiResult<HistoryQuery> {
    q.validate().map_err(ApiError::BadRequest)?;
    Ok(q)
}

/// Query-string extraction with a 400 in our error format.
struct Filters(HistoryQuery);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Filters {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let Query(q) = Query::<HistoryQuery>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::BadRequest(format!("filtro inválido: {e}")))?;
        Ok(Filters(checked(q)?))
    }
}

/// JSON body extraction with our error format (413 stays 413).
struct Body<T>(T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for Body<T> {
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(rej) if rej.status() == StatusCode::PAYLOAD_TOO_LARGE => Err((
                StatusCode::PAYLOAD_TOO_LARGE,
                Json(ErrorBody {
                    error: "corpo grande demais".into(),
                }),
            )
                .into_response()),
            Err(rej) => Err(ApiError::Unprocessable(format!(
                "corpo inválido: {}",
                rej.body_text()
            ))
            .into_response()),
        }
    }
}

async fn list_sessions(
    State(state): State<AdminState>,
    Filters(q): Filters,
) -> ApiResult<Response> {
    Ok(Json(state.backends.admin.list_sessions(&q).await?).into_response())
}

async fn session_detail(
    State(state): State<AdminState>,
    Path(id): Path<String>,
) -> ApiResult<Json<SessionDetail>> {
    let session = state
        .backends
        .admin
        .session_summary(&id)
        .await?
        .ok_or_else(|| ApiError::NotFound("sessão".into()))?;
    let segments = state.backends.admin.session_rows(&id).await?;
    Ok(Json(SessionDetail { session, segments }))
}

async fn list_segments(
    State(state): State<AdminState>,
    Filters(q): Filters,
) -> ApiResult<Response> {
    Ok(Json(state.backends.admin.list_segments(&q).await?).into_response())
}

async fn detail_of(state: &AdminState, id: &str) -> ApiResult<SegmentDetail> {
    let row = existing_row(state, id).await?;
    let transcripts = state.backends.storage.segment_transcripts(id).await?;
    let suggestions = state
        .backends
        .storage
        .session_suggestions(&row.session_id)
        .await?
        .into_iter()
        .filter(|s| s.segment_id == id)
        .collect();
    let attempts = state
        .backends
        .storage
        .segment_attempts(id)
        .await?
        .into_iter()
        .map(|(stage, attempt)| balto_core::admin::AttemptRow { stage, attempt })
        .collect();
    Ok(SegmentDetail {
        audio_url: format!("{API_PREFIX}/segments/{}/audio", url_segment(id)),
        row,
        transcripts,
        suggestions,
        attempts,
    })
}

/// Percent-encodes everything but unreserved characters (ids are normally plain).
fn url_segment(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn segment_detail(
    State(state): State<AdminState>,
    Path(id): Path<String>,
) -> ApiResult<Json<SegmentDetail>> {
    Ok(Json(detail_of(&state, &id).await?))
}

/// Sets a `failed` segment back to `stored`: the server's recovery sweep processes it again.
async fn retry_segment(
    State(state): State<AdminState>,
    Path(id): Path<String>,
) -> ApiResult<Json<SegmentDetail>> {
    let detail = detail_of(&state, &id).await?;
    if detail.row.status != SegmentStatus::Failed {
        return Err(ApiError::Conflict(format!(
            "o segmento está {}, não falhou",
            detail.row.status.as_str()
        )));
    }
    state
        .backends
        .storage
        .set_segment_status(&id, SegmentStatus::Stored, None)
        .await?;
    tracing::info!(segment = %id, "failed segment set back for retry by admin");
    Ok(Json(detail_of(&state, &id).await?))
}

async fn segment_audio(
    State(state): State<AdminState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let audio = state
        .backends
        .audio
        .clone()
        .ok_or(ApiError::NotImplemented("áudio"))?;
    let record = state
        .backends
        .admin
        .segment_record(&id)
        .await?
        .ok_or_else(|| ApiError::NotFound("segmento".into()))?;
    let pcm = audio.segment_pcm(&record).await?;
    let wav = wav_bytes(&pcm).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "audio/wav".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"segmento-{}.wav\"", crate::safe(&id)),
            ),
        ],
        wav,
    )
        .into_response())
}

fn safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect()
}

/// 16 kHz mono 16-bit PCM as a WAV file.
pub fn wav_bytes(pcm: &[i16]) -> Result<Vec<u8>, hound::Error> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut cursor = std::io::Cursor::new(Vec::with_capacity(44 + pcm.len() * 2));
    {
        let mut w = hound::WavWriter::new(&mut cursor, spec)?;
        let mut i16w = w.get_i16_writer(pcm.len() as u32);
        for s in pcm {
            i16w.write_sample(*s);
        }
        i16w.flush()?;
        w.finalize()?;
    }
    Ok(cursor.into_inner())
}

fn limited(text: Option<String>, max: usize, what: &str) -> ApiResult<Option<String>> {
    match text {
        Some(t) if t.chars().count() > max => Err(ApiError::Unprocessable(format!(
            "{what} tem no máximo {max} caracteres"
        ))),
        Some(t) if t.trim().is_empty() => Ok(None),
        other => Ok(other),
    }
}

/// The segment's row, or 404.
async fn existing_row(state: &AdminState, id: &str) -> ApiResult<SegmentRow> {
    state
        .backends
        .admin
        .segment_row(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("segmento".into()))
}

async fn review_transcript(
    State(state): State<AdminState>,
    Path(id): Path<String>,
    Body(req): Body<TranscriptReviewRequest>,
) -> ApiResult<Json<SegmentDetail>> {
    let row = existing_row(&state, &id).await?;
    let corrected = limited(req.corrected_text, MAX_CORRECTED_TEXT_CHARS, "o texto")?;
    let text = if req.correct {
        row.transcript
            .ok_or_else(|| ApiError::Unprocessable("o segmento não tem transcrição".into()))?
    } else {
        corrected.ok_or_else(|| ApiError::Unprocessable("informe o texto correto".into()))?
    };
    let review = TranscriptReview {
        correct: req.correct,
        corrected_text: text,
        reviewed_at_ms: now_ms(),
    };
    if !state.backends.admin.review_transcript(&id, review).await? {
        return Err(ApiError::NotFound("segmento".into()));
    }
    Ok(Json(detail_of(&state, &id).await?))
}

async fn review_suggestion(
    State(state): State<AdminState>,
    Path(id): Path<String>,
    Body(req): Body<SuggestionReviewRequest>,
) -> ApiResult<Json<SegmentDetail>> {
    let row = existing_row(&state, &id).await?;
    if row.decision.is_none() {
        return Err(ApiError::Conflict(
            "o segmento não tem sugestão para avaliar".into(),
        ));
    }
    let note = limited(req.note, MAX_NOTE_CHARS, "a nota")?;
    let review = SuggestionReview {
        verdict: req.verdict,
        note,
        reviewed_at_ms: now_ms(),
    };
    if !state.backends.admin.review_suggestion(&id, review).await? {
        return Err(ApiError::NotFound("segmento".into()));
    }
    Ok(Json(detail_of(&state, &id).await?))
}

async fn accuracy(State(state): State<AdminState>, Filters(q): Filters) -> ApiResult<Response> {
    let transcripts = state.backends.admin.reviewed_transcripts(&q).await?;
    let suggestions = state.backends.admin.reviewed_suggestions(&q).await?;
    Ok(Json(reports::accuracy(&transcripts, &suggestions)).into_response())
}

async fn comparison(State(state): State<AdminState>, Filters(q): Filters) -> ApiResult<Response> {
    let admin = &state.backends.admin;
    let transcripts = admin.provider_transcripts(&q).await?;
    let reviewed = admin.reviewed_transcripts(&q).await?;
    let calls = admin.provider_calls(&q, "stt").await?;
    Ok(Json(reports::comparison(
        &transcripts,
        &reviewed,
        &calls,
        &state.config.cost_per_minute_usd,
    ))
    .into_response())
}

async fn list_keys(State(state): State<AdminState>) -> ApiResult<Json<Vec<CounterKey>>> {
    Ok(Json(state.backends.storage.list_keys().await?))
}

fn valid_name(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty() && t.chars().count() <= 100 && !t.chars().any(char::is_control)
}

async fn create_key(
    State(state): State<AdminState>,
    Body(req): Body<CreateKeyRequest>,
) -> ApiResult<Response> {
    if !valid_name(&req.store) || !valid_name(&req.counter) {
        return Err(ApiError::Unprocessable(
            "loja e balcão: de 1 a 100 caracteres, sem caracteres de controle".into(),
        ));
    }
    let mut random = [0u8; RANDOM_BYTES_NEEDED];
    getrandom::fill(&mut random).map_err(|e| ApiError::Internal(e.to_string()))?;
    let issued = IssuedKey::from_random_with(&random, state.backends.key_pepper.as_ref());
    let now = now_ms();
    let key = CounterKey {
        key_id: issued.key_id.clone(),
        store: req.store.trim().to_string(),
        counter: req.counter.trim().to_string(),
        created_at_ms: now,
        revoked_at_ms: None,
    };
    let stored = StoredKey {
        key: key.clone(),
        salt: issued.salt,
        hash: issued.hash,
    };
    // The edge first: a key the edge refuses is never handed out; a key the store then fails
    // to keep is withdrawn from the edge again.
    let edge = state.backends.edge_keys.as_ref();
    if let Some(edge) = edge {
        edge.publish(&KeyRecord::from_stored(&stored))
            .await
            .map_err(edge_unavailable)?;
    }
    if let Err(e) = state.backends.storage.insert_key(stored).await {
        if let Some(edge) = edge
            && let Err(w) = edge.withdraw(&key.key_id).await
        {
            tracing::error!(key_id = %key.key_id, error = %w, "a key the store refused is still published at the edge");
        }
        return Err(e.into());
    }
    tracing::info!(key_id = %key.key_id, "counter key created by admin");
    Ok((
        StatusCode::CREATED,
        Json(CreatedKey {
            key_id: key.key_id,
            api_key: issued.full_key,
            store: key.store,
            counter: key.counter,
            created_at_ms: now,
        }),
    )
        .into_response())
}

async fn revoke_key(
    State(state): State<AdminState>,
    Path(key_id): Path<String>,
) -> ApiResult<StatusCode> {
    let storage = &state.backends.storage;
    // Revoked at the edge first, so a failure leaves the key refused, never half-revoked.
    if let Some(edge) = &state.backends.edge_keys {
        let Some(mut stored) = storage.find_key(&key_id).await? else {
            return Err(ApiError::NotFound("chave".into()));
        };
        stored.key.revoked_at_ms = stored.key.revoked_at_ms.or(Some(now_ms()));
        edge.publish(&KeyRecord::from_stored(&stored))
            .await
            .map_err(edge_unavailable)?;
    }
    if storage.revoke_key(&key_id, now_ms()).await? {
        tracing::info!(key_id = %key_id, "counter key revoked by admin");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("chave".into()))
    }
}

fn edge_unavailable(e: StorageError) -> ApiError {
    tracing::error!(error = %e, "publishing a counter key at the edge failed");
    ApiError::Unavailable(
        "a borda (Cloudflare KV) não confirmou a chave; nada foi alterado, tente de novo".into(),
    )
}

/// Every row of a paged list, up to [`MAX_EXPORT_ROWS`].
async fn all_pages<T, F, Fut>(q: &HistoryQuery, mut fetch: F) -> ApiResult<Vec<T>>
where
    F: FnMut(HistoryQuery) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>, StorageError>>,
{
    let mut out = Vec::new();
    let mut page = 1;
    loop {
        let mut pq = q.clone();
        pq.page = Some(page);
        pq.page_size = Some(MAX_PAGE_SIZE);
        let p = fetch(pq).await?;
        let n = p.items.len();
        out.extend(p.items);
        if n < MAX_PAGE_SIZE as usize || out.len() >= MAX_EXPORT_ROWS as usize {
            break;
        }
        page += 1;
    }
    out.truncate(MAX_EXPORT_ROWS as usize);
    Ok(out)
}

fn download(content_type: &str, name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn segment_cells(state: &AdminState, q: &HistoryQuery) -> ApiResult<Vec<Vec<export::Cell>>> {
    let admin = Arc::clone(&state.backends.admin);
    let rows = all_pages(q, |pq| {
        let admin = Arc::clone(&admin);
        async move { admin.list_segments(&pq).await }
    })
    .await?;
    Ok(rows.iter().map(export::segment_cells).collect())
}

async fn session_cells(state: &AdminState, q: &HistoryQuery) -> ApiResult<Vec<Vec<export::Cell>>> {
    let admin = Arc::clone(&state.backends.admin);
    let rows = all_pages(q, |pq| {
        let admin = Arc::clone(&admin);
        async move { admin.list_sessions(&pq).await }
    })
    .await?;
    Ok(rows.iter().map(export::session_cells).collect())
}

async fn export_segments_csv(
    State(state): State<AdminState>,
    Filters(q): Filters,
) -> ApiResult<Response> {
    let rows = segment_cells(&state, &q).await?;
    let body = export::csv(export::SEGMENT_HEADERS, &rows).into_bytes();
    Ok(download(
        "text/csv; charset=utf-8",
        "balto-segmentos.csv",
        body,
    ))
}

async fn export_segments_xlsx(
    State(state): State<AdminState>,
    Filters(q): Filters,
) -> ApiResult<Response> {
    let rows = segment_cells(&state, &q).await?;
    let body = export::xlsx("segmentos", export::SEGMENT_HEADERS, &rows)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(download(XLSX, "balto-segmentos.xlsx", body))
}

async fn export_sessions_csv(
    State(state): State<AdminState>,
    Filters(q): Filters,
) -> ApiResult<Response> {
    let rows = session_cells(&state, &q).await?;
    let body = export::csv(export::SESSION_HEADERS, &rows).into_bytes();
    Ok(download(
        "text/csv; charset=utf-8",
        "balto-sessoes.csv",
        body,
    ))
}

async fn export_sessions_xlsx(
    State(state): State<AdminState>,
    Filters(q): Filters,
) -> ApiResult<Response> {
    let rows = session_cells(&state, &q).await?;
    let body = export::xlsx("sessoes", export::SESSION_HEADERS, &rows)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(download(XLSX, "balto-sessoes.xlsx", body))
}

async fn backup(State(state): State<AdminState>) -> ApiResult<Response> {
    let backup = state
        .backends
        .backup
        .clone()
        .ok_or(ApiError::NotImplemented("cópia do banco de dados"))?;
    let bytes = backup.backup().await?;
    tracing::info!(bytes = bytes.len(), "database backup downloaded by admin");
    Ok(download(
        "application/vnd.sqlite3",
        &format!("balto-backup-{}.db", now_ms()),
        bytes,
    ))
}
