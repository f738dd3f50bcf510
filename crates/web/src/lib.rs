//! Kansli's HTTP layer: the public HTML pages and the JSON API with its
//! OpenAPI document, over one [`Store`].
//!
//! - [`view`]: read models shared by pages and API; secrecy is applied there.
//! - [`pages`]: server-rendered Swedish HTML (askama templates in
//!   `templates/`), usable without JavaScript.
//! - [`api`]: `/api/v1/…` and `/api/openapi.json`.

pub mod api;
mod auth;
mod documents;
mod error;
pub mod pages;
pub use kansli_documents::view;

pub use error::WebError;

use axum::Router;
use axum::routing::get;
use kansli_store::Store;
use std::future::Future;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// Bounds concurrent PDF typesetting to the number of cores.
    pub typesetting: std::sync::Arc<tokio::sync::Semaphore>,
}

/// All routes.
pub fn router(store: Store) -> Router {
    let api = Router::new()
        .route("/organisations", get(api::organisations))
        .route("/organisations/{id}", get(api::organisation))
        .route(
            "/organisations/{id}/cases",
            get(api::organisation_cases).post(api::register_case),
        )
        .route("/bodies/{id}", get(api::body))
        .route("/meetings", get(api::meetings))
        .route("/meetings/{id}", get(api::meeting))
        .route("/meetings/{id}/paragraphs/{number}", get(api::paragraph))
        .route("/cases/{id}", get(api::case))
        .fallback(api::not_found);
    Router::new()
        .route("/", get(pages::start))
        .route("/sammantraden", get(pages::meetings))
        .route("/sammantraden/{id}", get(pages::meeting))
        .route(
            "/sammantraden/{id}/paragrafer/{number}",
            get(pages::paragraph),
        )
        .route(
            "/sammantraden/{id}/dokument/{file}",
            get(documents::meeting_document),
        )
        .route(
            "/sammantraden/{id}/paragrafer/{number}/{file}",
            get(documents::extract),
        )
        .route("/arenden/{id}/{file}", get(documents::officer_report))
        .route("/organisationer/{id}", get(pages::organisation))
        .route("/organ/{id}", get(pages::body))
        .route("/arenden/{id}", get(pages::case))
        .route("/static/kansli.css", get(pages::stylesheet))
        .route("/api/openapi.json", get(api::openapi))
        .route("/healthz", get(|| async { "ok" }))
        .nest("/api/v1", api)
        .fallback(pages::not_found)
        .layer(TraceLayer::new_for_http())
        .with_state(AppState {
            store,
            typesetting: std::sync::Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            )),
        })
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    store: Store,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(store))
        .with_graceful_shutdown(shutdown)
        .await
}
