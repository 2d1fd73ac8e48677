//! The HTTP side: paths onto [`Api`] operations, the caller's uid from the socket's peer
//! credentials, and every failure as an [`ApiError`] body (extractor rejections included).

use std::future::Future;

use axum::body::Bytes;
use axum::extract::connect_info::{ConnectInfo, Connected};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::IncomingStream;
use axum::{Json, Router};
use jiff::Timestamp;
use serde::Deserialize;
use sked_api::types::{ApplyRequest, ChangeTask, CreateTask, RemoveRequest, ReplaceTask};
use tokio::net::UnixListener;

use super::history::HistoryParams;
use super::tasks::ListQuery;
use super::{Api, ApiError, ApiResult};

/// Who is on the other end of a connection, from `SO_PEERCRED`.
#[derive(Clone, Copy, Debug)]
pub struct Peer {
    /// The caller's uid; `None` if the kernel did not say.
    pub uid: Option<u32>,
}

impl Connected<IncomingStream<'_, UnixListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, UnixListener>) -> Self {
        Peer { uid: stream.io().peer_cred().ok().map(|c| c.uid()) }
    }
}

type Caller = ConnectInfo<Peer>;

fn uid(ConnectInfo(peer): &Caller) -> ApiResult<u32> {
    peer.uid.ok_or_else(|| ApiError::forbidden("the caller's credentials could not be read from the socket"))
}

fn json<T>(body: Result<Json<T>, JsonRejection>) -> ApiResult<T> {
    body.map(|Json(t)| t).map_err(|e| ApiError::bad_request(e.body_text()))
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> ApiResult<T> {
    q.map(|Query(t)| t).map_err(|e| ApiError::bad_request(e.body_text()))
}

fn path<T>(p: Result<Path<T>, PathRejection>) -> ApiResult<T> {
    p.map(|Path(t)| t).map_err(|e| ApiError::bad_request(e.body_text()))
}

/// Answers `Ok` as JSON with `status`, `Err` as its error body.
fn reply<T: serde::Serialize>(status: StatusCode, r: ApiResult<T>) -> Response {
    match r {
        Ok(v) => (status, Json(v)).into_response(),
        Err(e) => e.into_response(),
    }
}

fn ok<T: serde::Serialize>(r: ApiResult<T>) -> Response {
    reply(StatusCode::OK, r)
}

/// `?owner=` on a task's path.
#[derive(Debug, Default, Deserialize)]
struct OwnerQuery {
    owner: Option<u32>,
}

/// `?owner=&count=&from=` of `next`.
#[derive(Debug, Default, Deserialize)]
struct NextQuery {
    owner: Option<u32>,
    count: Option<u32>,
    from: Option<Timestamp>,
}

/// `?offset=` of a log.
#[derive(Debug, Default, Deserialize)]
struct LogQuery {
    offset: Option<u64>,
}

type TaskPath = Result<Path<String>, PathRejection>;
type OwnerQ = Result<Query<OwnerQuery>, QueryRejection>;

async fn status(State(api): State<Api>, c: Caller) -> Response {
    ok(uid(&c).map(|u| api.status(u)))
}

async fn list(State(api): State<Api>, c: Caller, q: Result<Query<ListQuery>, QueryRejection>) -> Response {
    ok(async { api.list(uid(&c)?, query(q)?).await }.await)
}

async fn create(
    State(api): State<Api>,
    c: Caller,
    body: Result<Json<CreateTask>, JsonRejection>,
) -> Response {
    reply(StatusCode::CREATED, async { api.create(uid(&c)?, json(body)?).await }.await)
}

async fn get_task(State(api): State<Api>, c: Caller, p: TaskPath, q: OwnerQ) -> Response {
    ok(async { api.get(uid(&c)?, &path(p)?, query(q)?.owner).await }.await)
}

async fn replace(
    State(api): State<Api>,
    c: Caller,
    p: TaskPath,
    q: OwnerQ,
    body: Result<Json<ReplaceTask>, JsonRejection>,
) -> Response {
    ok(async { api.replace(uid(&c)?, &path(p)?, query(q)?.owner, json(body)?).await }.await)
}

async fn change(
    State(api): State<Api>,
    c: Caller,
    p: TaskPath,
    q: OwnerQ,
    body: Result<Json<ChangeTask>, JsonRejection>,
) -> Response {
    ok(async { api.change(uid(&c)?, &path(p)?, query(q)?.owner, json(body)?).await }.await)
}

async fn delete(State(api): State<Api>, c: Caller, p: TaskPath, q: OwnerQ) -> Response {
    match async { api.delete(uid(&c)?, &path(p)?, query(q)?.owner).await }.await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}

async fn enable(State(api): State<Api>, c: Caller, p: TaskPath, q: OwnerQ) -> Response {
    ok(async { api.set_enabled(uid(&c)?, &path(p)?, query(q)?.owner, true).await }.await)
}

async fn disable(State(api): State<Api>, c: Caller, p: TaskPath, q: OwnerQ) -> Response {
    ok(async { api.set_enabled(uid(&c)?, &path(p)?, query(q)?.owner, false).await }.await)
}

async fn run(State(api): State<Api>, c: Caller, p: TaskPath, q: OwnerQ) -> Response {
    ok(async { api.run_now(uid(&c)?, &path(p)?, query(q)?.owner).await }.await)
}

async fn end(State(api): State<Api>, c: Caller, p: TaskPath, q: OwnerQ) -> Response {
    ok(async { api.end(uid(&c)?, &path(p)?, query(q)?.owner).await }.await)
}

async fn next(
    State(api): State<Api>,
    c: Caller,
    p: TaskPath,
    q: Result<Query<NextQuery>, QueryRejection>,
) -> Response {
    ok(async {
        let q = query(q)?;
        api.next(uid(&c)?, &path(p)?, q.owner, q.count, q.from).await
    }
    .await)
}

async fn history(
    State(api): State<Api>,
    c: Caller,
    q: Result<Query<HistoryParams>, QueryRejection>,
) -> Response {
    ok(async { api.history(uid(&c)?, query(q)?).await }.await)
}

async fn get_run(State(api): State<Api>, c: Caller, p: Result<Path<i64>, PathRejection>) -> Response {
    ok(async { api.get_run(uid(&c)?, path(p)?).await }.await)
}

async fn log(
    State(api): State<Api>,
    c: Caller,
    p: Result<Path<i64>, PathRejection>,
    q: Result<Query<LogQuery>, QueryRejection>,
) -> Response {
    let r = async { api.log(uid(&c)?, path(p)?, query(q)?.offset.unwrap_or(0)).await }.await;
    match r {
        Ok(bytes) => {
            ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], Bytes::from(bytes)).into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn apply(
    State(api): State<Api>,
    c: Caller,
    body: Result<Json<ApplyRequest>, JsonRejection>,
) -> Response {
    ok(async { api.apply(uid(&c)?, json(body)?).await }.await)
}

async fn remove(
    State(api): State<Api>,
    c: Caller,
    body: Result<Json<RemoveRequest>, JsonRejection>,
) -> Response {
    ok(async { api.remove(uid(&c)?, json(body)?).await }.await)
}

async fn fallback(uri: axum::http::Uri) -> Response {
    ApiError::not_found(format!("no route `{}`; the API's paths start with `/v1`", uri.path()))
        .into_response()
}

/// Every route of API v1.
pub fn router(api: Api) -> Router {
    Router::new()
        .route("/v1/status", get(status))
        .route("/v1/tasks", get(list).post(create))
        .route("/v1/tasks/{name}", get(get_task).put(replace).patch(change).delete(delete))
        .route("/v1/tasks/{name}/enable", post(enable))
        .route("/v1/tasks/{name}/disable", post(disable))
        .route("/v1/tasks/{name}/run", post(run))
        .route("/v1/tasks/{name}/end", post(end))
        .route("/v1/tasks/{name}/next", get(next))
        .route("/v1/history", get(history))
        .route("/v1/runs/{id}", get(get_run))
        .route("/v1/runs/{id}/log", get(log))
        .route("/v1/apply", post(apply))
        .route("/v1/remove", post(remove))
        .fallback(fallback)
        .with_state(api)
}

/// Serves the API on `listener` until `shutdown` resolves, then lets the requests in
/// progress finish.
pub async fn serve(
    listener: UnixListener,
    api: Api,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(api).into_make_service_with_connect_info::<Peer>())
        .with_graceful_shutdown(shutdown)
        .await
}
