//! HTTP client of the admin API (`gloo-net`, same-origin credentials so the session cookie
//! travels). Every write carries the CSRF header. A 401 on any call but login reports the
//! session as lost through the hook the app installs, which brings the login page back.

use crate::query::api_url;
use balto_core::admin::{
    AccuracyReport, CSRF_HEADER, ComparisonReport, CounterKey, CreateKeyRequest, CreatedKey,
    ErrorBody, HistoryQuery, LiveSnapshot, LoginRequest, LoginResponse, Page, SegmentDetail,
    SegmentRow, SessionDetail, SessionInfo, SessionSummary, SuggestionReviewRequest,
    TranscriptReviewRequest,
};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::fmt;
use web_sys::RequestCredentials;

/// Why a call failed; `Display` is the Portuguese message for the page.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// 401: no valid session (or, on login, a wrong secret).
    Unauthorized(String),
    /// 429: too many wrong secrets; wait this many seconds.
    TooManyAttempts { wait_s: Option<u64> },
    /// Any other error status, with the server's message.
    Status { status: u16, message: String },
    /// No answer, or an answer that is not what the API promises.
    Network(String),
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Unauthorized(m) => f.write_str(m),
            ApiError::TooManyAttempts { wait_s: Some(s) } => write!(
                f,
                "Muitas tentativas erradas. Espere {s} s antes de tentar de novo."
            ),
            ApiError::TooManyAttempts { wait_s: None } => {
                f.write_str("Muitas tentativas erradas. Espere um pouco antes de tentar de novo.")
            }
            ApiError::Status { message, .. } => f.write_str(message),
            ApiError::Network(m) => write!(f, "Sem resposta do servidor ({m})."),
        }
    }
}

thread_local! {
    static ON_UNAUTHORIZED: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Installs what to do when a call answers 401 (the app shows the login page).
pub fn on_unauthorized(hook: impl Fn() + 'static) {
    ON_UNAUTHORIZED.with(|h| *h.borrow_mut() = Some(Box::new(hook)));
}

fn session_lost() {
    ON_UNAUTHORIZED.with(|h| {
        if let Some(hook) = h.borrow().as_ref() {
            hook();
        }
    });
}

fn with_credentials(builder: RequestBuilder) -> RequestBuilder {
    builder.credentials(RequestCredentials::SameOrigin)
}

fn write_request(builder: RequestBuilder) -> RequestBuilder {
    with_credentials(builder).header(CSRF_HEADER, "1")
}

async fn error_of(resp: Response) -> ApiError {
    let status = resp.status();
    let wait_s = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.trim().parse().ok());
    let message = match resp.json::<ErrorBody>().await {
        Ok(body) => body.error,
        Err(_) => format!("Erro {status} do servidor."),
    };
    match status {
        401 => ApiError::Unauthorized(message),
        429 => ApiError::TooManyAttempts { wait_s },
        _ => ApiError::Status { status, message },
    }
}

async fn send(
    request: Result<Request, gloo_net::Error>,
    login: bool,
) -> Result<Response, ApiError> {
    let request = request.map_err(|e| ApiError::Network(e.to_string()))?;
    let resp = request
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if resp.ok() {
        return Ok(resp);
    }
    let err = error_of(resp).await;
    if matches!(err, ApiError::Unauthorized(_)) && !login {
        session_lost();
    }
    Err(err)
}

async fn json_of<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    resp.json::<T>()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))
}

async fn get<T: DeserializeOwned>(url: String) -> Result<T, ApiError> {
    let resp = send(with_credentials(Request::get(&url)).build(), false).await?;
    json_of(resp).await
}

async fn write_json<B: Serialize, T: DeserializeOwned>(
    builder: RequestBuilder,
    body: &B,
) -> Result<T, ApiError> {
    let resp = send(write_request(builder).json(body), false).await?;
    json_of(resp).await
}

pub async fn login(secret: String) -> Result<LoginResponse, ApiError> {
    let url = api_url("/login", None);
    let resp = send(
        write_request(Request::post(&url)).json(&LoginRequest { secret }),
        true,
    )
    .await
    .map_err(|e| match e {
        // The server's 401 text speaks of sessions; on this form it means a wrong secret.
        ApiError::Unauthorized(_) => {
            ApiError::Unauthorized("Senha de administração incorreta.".to_string())
        }
        other => other,
    })?;
    json_of(resp).await
}

pub async fn logout() -> Result<(), ApiError> {
    let url = api_url("/logout", None);
    send(write_request(Request::post(&url)).build(), false).await?;
    Ok(())
}

pub async fn session() -> Result<SessionInfo, ApiError> {
    get(api_url("/session", None)).await
}

pub async fn live() -> Result<LiveSnapshot, ApiError> {
    get(api_url("/live", None)).await
}

pub async fn sessions(q: &HistoryQuery) -> Result<Page<SessionSummary>, ApiError> {
    get(api_url("/sessions", Some(q))).await
}

pub async fn session_detail(id: &str) -> Result<SessionDetail, ApiError> {
    get(api_url(
        &format!("/sessions/{}", crate::query::encode_component(id)),
        None,
    ))
    .await
}

pub async fn segments(q: &HistoryQuery) -> Result<Page<SegmentRow>, ApiError> {
    get(api_url("/segments", Some(q))).await
}

fn segment_path(id: &str, rest: &str) -> String {
    api_url(
        &format!("/segments/{}{rest}", crate::query::encode_component(id)),
        None,
    )
}

pub async fn segment(id: &str) -> Result<SegmentDetail, ApiError> {
    get(segment_path(id, "")).await
}

/// URL of a segment's WAV for `<audio>`.
pub fn segment_audio_url(id: &str) -> String {
    segment_path(id, "/audio")
}

pub async fn retry_segment(id: &str) -> Result<SegmentDetail, ApiError> {
    let url = segment_path(id, "/retry");
    let resp = send(write_request(Request::post(&url)).build(), false).await?;
    json_of(resp).await
}

pub async fn review_transcript(
    id: &str,
    body: TranscriptReviewRequest,
) -> Result<SegmentDetail, ApiError> {
    write_json(Request::put(&segment_path(id, "/transcript-review")), &body).await
}

pub async fn review_suggestion(
    id: &str,
    body: SuggestionReviewRequest,
) -> Result<SegmentDetail, ApiError> {
    write_json(Request::put(&segment_path(id, "/suggestion-review")), &body).await
}

pub async fn accuracy(q: &HistoryQuery) -> Result<AccuracyReport, ApiError> {
    get(api_url("/accuracy", Some(q))).await
}

pub async fn comparison(q: &HistoryQuery) -> Result<ComparisonReport, ApiError> {
    get(api_url("/comparison", Some(q))).await
}

pub async fn keys() -> Result<Vec<CounterKey>, ApiError> {
    get(api_url("/keys", None)).await
}

pub async fn create_key(body: CreateKeyRequest) -> Result<CreatedKey, ApiError> {
    write_json(Request::post(&api_url("/keys", None)), &body).await
}

pub async fn revoke_key(key_id: &str) -> Result<(), ApiError> {
    let url = api_url(
        &format!("/keys/{}", crate::query::encode_component(key_id)),
        None,
    );
    send(write_request(Request::delete(&url)).build(), false).await?;
    Ok(())
}
