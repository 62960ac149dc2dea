//! The bare baseline of the catalog benchmark (`tests/bench/catalog_bench.sh`): a poem-openapi
//! `OpenApiService` with one operation, `GET /api/products`, that answers every request with the same
//! bytes, read once at start from a file, as `application/json; charset=utf-8` (the content type of
//! poem-openapi's `Json` payload, which the real `GET /api/products` sends). No state, no middleware, no
//! cache lookup, no copy of the body per request: the cost of poem + poem-openapi routing and HTTP/1.1
//! alone, served by poem's plain `Server` over sabil-api's own listener (`NoDelay`: Nagle's algorithm off) on the
//! same Tokio runtime flavour as `sabil-api`.
//!
//! Usage: `bare_products <json-file> <bind-address>`, e.g.
//! `target/release/deps/bare_products-<hash> /tmp/products.json 127.0.0.1:18190`.
//! Build: `cargo build --release -p sabil-api --bench bare_products` (a `harness = false` bench target,
//! so `cargo bench` would run it as a server; the script starts it itself instead). Stop it with a signal.
use std::error::Error;

use poem::listener::{Listener as _, TcpListener};
use poem::{Route, Server};
use poem_openapi::payload::Binary;
use poem_openapi::{ApiResponse, OpenApi, OpenApiService};
use sabil_api::server::NoDelay;

/// The fixed answer.
#[derive(ApiResponse)]
enum Products {
    /// The bytes from the file, unchanged.
    #[oai(status = 200, content_type = "application/json; charset=utf-8")]
    Ok(Binary<&'static str>),
}

/// The one operation; holds the body for the life of the process.
struct BareApi {
    body: &'static str,
}

#[OpenApi]
impl BareApi {
    /// List products (fixed bytes)
    #[oai(path = "/products", method = "get")]
    async fn list_products(&self) -> Products {
        Products::Ok(Binary(self.body))
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(file), Some(bind)) = (args.next(), args.next()) else {
        return Err("usage: bare_products <json-file> <bind-address>".into());
    };
    // Leaked once: a `&'static str` body goes out per request without a copy or a reference count.
    let body: &'static str = std::fs::read_to_string(&file).map_err(|e| format!("{file}: {e}"))?.leak();
    let api = OpenApiService::new(BareApi { body }, "bare products", "1");
    eprintln!("bare_products: {} bytes from {file} on http://{bind}/api/products", body.len());
    // The same listener as sabil-api's (Nagle's algorithm off), so the two differ only by what answers.
    let acceptor = NoDelay(TcpListener::bind(bind).into_acceptor().await?);
    Server::new_with_acceptor(acceptor).run(Route::new().nest("/api", api)).await?;
    Ok(())
}
