use clap::Parser;
use el_server::config::Config;
use el_server::demo::{DEMO_PASSWORD, DEMO_USERS};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn")))
        .init();
    let config = Config::parse();
    el_server::listen::raise_open_files_limit();
    let demo = config.demo;
    let base_path = config.base_path.clone();
    let server = match el_server::start(config).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("External Lines could not start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let url = format!("http://{}{base_path}", server.addr);
    println!("\nExternal Lines is running.");
    println!("  Operator inbox:   {url}/");
    println!("  Widget demo page: {url}/widget/demo");
    if let Some(host) = server.embed_demo {
        println!("  Embedding demo:   http://{host}/  (a \"Space CRM\" on another origin)");
    }
    if demo {
        let logins: Vec<&str> = DEMO_USERS.iter().map(|u| u.0).collect();
        println!("  Demo sign-ins:    {} (password: {DEMO_PASSWORD})", logins.join(", "));
    }
    println!("Press Ctrl+C to stop.\n");
    shutdown_signal().await;
    tracing::info!("shutting down");
    match server.shutdown().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("shutdown failed: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
