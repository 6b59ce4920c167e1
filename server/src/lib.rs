//! The External Lines server: REST + WebSocket over SQLite.
//!
//! [`start`] opens the database, loads demo data when asked, binds, and returns a
//! running [`Server`]; `main.rs` only parses the configuration and waits for a signal.

pub mod auth;
pub mod bots;
pub mod client_addr;
pub mod clients;
pub mod config;
pub mod crm;
pub mod db;
pub mod demo;
pub mod dialogs;
pub mod embed;
pub mod embed_demo;
pub mod error;
pub mod event_log;
pub mod files;
pub mod graph_api;
pub mod integrations;
pub mod listen;
pub mod media_links;
pub mod messenger_http;
pub mod meta;
pub mod meta_hooks;
pub mod origin;
pub mod outbox;
pub mod queue;
pub mod received;
pub mod replies;
pub mod roles;
pub mod search;
pub mod socket;
pub mod sql;
pub mod telegram;
pub mod throttle;
pub mod tokens;
pub mod users;
pub mod validate;
pub mod viber;
pub mod web;
pub mod whatsapp;
pub mod widget;

use axum::http::{header, HeaderValue};
use axum::response::Redirect;
use axum::routing::get;
use axum::Router;
use config::Config;
use db::Db;
use error::AppError;
use event_log::Hub;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Largest request body the API accepts (an upload's own limit, below it, answers with
/// a clear message).
pub const MAX_JSON_BODY: usize = 2 * 1024 * 1024;

/// Typing signals one person may send a minute (clients send one every 3 s).
const TYPING_PER_MINUTE: u32 = 40;

/// What every handler shares: cloned per request, so one reference count.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of [`AppState`].
pub struct Shared {
    pub db: Db,
    pub hub: Hub,
    pub config: Arc<Config>,
    /// Failed sign-ins per address and login.
    pub sign_in_failures: auth::SignInThrottle,
    /// How fast website visitors may start chats and write.
    pub widget_limits: widget::WidgetLimits,
    /// How often anyone may say they are typing (and a visitor that they read).
    pub typing_limits: throttle::RateLimit,
    /// The Telegram Bot API, at the configured address.
    pub bot_api: telegram::bot_api::BotApi,
    pub viber_api: viber::api::ViberApi,
    pub graph_api: graph_api::GraphApi,
    /// Who has the app open here, for the queue's worker.
    pub queue: queue::Queue,
    /// How fast each API key may open embed sessions.
    pub embed_sessions: throttle::RateLimit,
}

/// The whole application: `/api`, the widget's files, and the SPA, under the base path
/// when one is configured (the root then sends browsers there).
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .merge(auth::router())
        .merge(users::router())
        .merge(dialogs::router())
        .merge(crm::router())
        .merge(embed::router())
        .merge(roles::router())
        .merge(replies::router())
        .merge(search::router())
        .merge(queue::router())
        .merge(socket::router())
        .merge(widget::router())
        .merge(files::router())
        .merge(integrations::router())
        .merge(telegram::router())
        .merge(viber::router())
        .merge(whatsapp::router())
        .merge(meta::router())
        .merge(media_links::router())
        .layer(RequestBodyLimitLayer::new(MAX_JSON_BODY))
        // Uploads stream to disk under the configured file limit instead.
        .merge(files::upload_router())
        .fallback(|| async { AppError::NotFound("No such API endpoint.".into()) })
        .layer(axum::middleware::from_fn_with_state(state.clone(), origin::guard))
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
    let routes = Router::new()
        .nest("/api", api)
        .merge(web::widget_router(&state))
        .merge(web::embed_router(&state))
        .merge(web::spa_service(&state));
    let base = state.config.base_path.clone();
    let routes = if base.is_empty() {
        routes
    } else {
        let home = format!("{base}/");
        Router::new()
            .nest(&base, routes)
            .route(&home, get(web::spa_page(&state)))
            .route("/", get(move || async move { Redirect::temporary(&home) }))
    };
    routes
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Removes abandoned uploads, old Telegram update ids and long quiet failed sign-ins
/// every hour, for as long as the server runs.
async fn sweep_hourly(state: AppState) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(60 * 60));
    let mut closing = state.hub.closing();
    loop {
        tokio::select! {
            _ = every.tick() => {
                match files::sweep_abandoned(&state).await {
                    Ok(0) => {}
                    Ok(removed) => tracing::info!(removed, "abandoned uploads removed"),
                    Err(e) => tracing::warn!(error = %e, "sweeping uploads failed"),
                }
                if let Err(e) = telegram::prune_updates(&state).await {
                    tracing::warn!(error = %e, "pruning Telegram update ids failed");
                }
                if let Err(e) = viber::prune_callbacks(&state).await {
                    tracing::warn!(error = %e, "pruning Viber callback tokens failed");
                }
                if let Err(e) = whatsapp::prune_messages(&state).await {
                    tracing::warn!(error = %e, "pruning WhatsApp message ids failed");
                }
                if let Err(e) = meta::prune_messages(&state).await {
                    tracing::warn!(error = %e, "pruning Messenger and Instagram message ids failed");
                }
                if let Err(e) = state.sign_in_failures.forget_old(&state.db).await {
                    tracing::warn!(error = %e, "forgetting old failed sign-ins failed");
                }
            }
            _ = closing.changed() => return,
        }
    }
}

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    /// The embedding demo's host, when started (`--embed-demo-port`).
    pub embed_demo: Option<SocketAddr>,
    pub state: AppState,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    outbox: tokio::task::JoinHandle<()>,
    stop: tokio::sync::oneshot::Sender<()>,
}

impl Server {
    /// Stops accepting connections, closes sockets, and waits for requests and
    /// deliveries in flight.
    pub async fn shutdown(self) -> std::io::Result<()> {
        self.state.hub.close_all();
        let _ = self.stop.send(());
        self.outbox.await.map_err(std::io::Error::other)?;
        self.task.await.map_err(std::io::Error::other)?
    }
}

/// Opens the database (migrating it), loads demo data if configured, and serves.
pub async fn start(config: Config) -> Result<Server, AppError> {
    let url = config.database.clone();
    let db = tokio::task::spawn_blocking(move || Db::connect(&url))
        .await
        .map_err(|e| AppError::Internal(format!("opening the database: {e}")))??;
    if config.demo && demo::load_once(&db).await? {
        tracing::info!("demo data loaded");
    }
    if config.demo_dialogs > 0 {
        let added = demo::load_dialogs(&db, config.demo_dialogs).await?;
        tracing::info!(added, wanted = config.demo_dialogs, "demo dialogs loaded");
    }
    let hub = Hub::load(&db, config.replay_events).await?;
    socket::start_socket_threads();
    let sign_in_failures = auth::SignInThrottle::default();
    let widget_limits = widget::WidgetLimits::new(&config);
    let typing_limits = throttle::RateLimit::new(TYPING_PER_MINUTE, std::time::Duration::from_secs(60));
    let bot_api = telegram::bot_api::BotApi::new(&config.telegram_api);
    let viber_api = viber::api::ViberApi::new(&config.viber_api);
    let graph_api = graph_api::GraphApi::new(&config.graph_api);
    let embed_sessions = embed::session_limit(config.embed_sessions_per_minute);
    let state = AppState(Arc::new(Shared {
        db,
        hub,
        config: Arc::new(config),
        sign_in_failures,
        widget_limits,
        typing_limits,
        bot_api,
        viber_api,
        graph_api,
        queue: queue::Queue::default(),
        embed_sessions,
    }));
    let listener = TcpListener::bind((state.config.host, state.config.port)).await.map_err(|e| {
        AppError::Internal(format!("cannot listen on {}:{}: {e}", state.config.host, state.config.port))
    })?;
    let addr = listener.local_addr().map_err(|e| AppError::Internal(e.to_string()))?;
    tokio::spawn(state.hub.clone().run());
    tokio::spawn(sweep_hourly(state.clone()));
    tokio::spawn(queue::run(state.clone()));
    let outbox = tokio::spawn(outbox::run(state.clone()));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let router = app(state.clone());
    // Behind a trusted proxy every connection comes from the proxy: it caps them.
    let per_address = state.config.trusted_proxy_header.is_none().then_some(state.config.max_connections_per_address);
    let task = tokio::spawn(listen::serve(listener, router, per_address, async {
        let _ = stopped.await;
    }));
    let embed_demo = match state.config.embed_demo_port.filter(|_| state.config.demo) {
        // A demo that cannot start (its port taken, say) leaves the product running.
        Some(port) => embed_demo::start(&state, addr, port)
            .await
            .inspect_err(|e| tracing::warn!(error = %e, "the embedding demo did not start"))
            .ok(),
        None => None,
    };
    Ok(Server { addr, embed_demo, state, task, outbox, stop })
}
