//! Starts each Node test server of `polvo_suite::servers` and fetches one
//! URL from it. These tests fail, never skip, when Node or the servers'
//! packages (`bash scripts/test.sh` installs them) are missing.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use polvo_suite::servers::{self, NodeServer};

/// A blocking HTTP/1.0 GET of `path` on `server`: the status code and body.
fn get(server: &NodeServer, path: &str) -> (u16, String) {
    let authority = server.url.strip_prefix("http://").expect("an http:// URL");
    let mut stream = TcpStream::connect(authority).expect("connect to the server");
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("set a read timeout");
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {authority}\r\nAccept: application/json\r\n\r\n")
        .expect("send the request");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read the response");
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {response:?}"));
    let body = response.split_once("\r\n\r\n").map_or("", |(_, body)| body).to_owned();
    (status, body)
}

fn started(result: Result<NodeServer, servers::ServerError>) -> NodeServer {
    result.unwrap_or_else(|error| panic!("{error}"))
}

#[test]
fn oidc_provider_serves_its_discovery_document() {
    let server = started(servers::start_oidc(&[]));
    let (status, body) = get(&server, "/.well-known/openid-configuration");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"issuer\""), "{body}");
    assert!(body.contains(&format!("\"issuer\":\"{}\"", server.url)), "{body}");
}

#[test]
fn prism_mocks_the_petstore_spec() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs").join("petstore.yaml");
    let server = started(servers::start_prism(&spec, &[]));
    let (status, body) = get(&server, "/pets");
    assert_eq!(status, 200, "{body}");
    assert!(body.trim_start().starts_with('['), "{body}");
}

#[test]
fn oauth2_mock_server_serves_its_discovery_document() {
    let server = started(servers::start_oauth2_mock_server());
    let (status, body) = get(&server, "/.well-known/openid-configuration");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"issuer\""), "{body}");
}

#[test]
fn a_dropped_server_stops_listening() {
    let server = started(servers::start_oidc(&[]));
    let authority = server.url.trim_start_matches("http://").to_owned();
    drop(server);
    assert!(TcpStream::connect(&authority).is_err(), "{authority} still accepts connections");
}

/// Sends `PING` to the Redis server on 127.0.0.1:`port`: its reply line.
fn redis_ping(port: u16) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.write_all(b"PING\r\n")?;
    let mut reply = [0u8; 7];
    stream.read_exact(&mut reply)?;
    Ok(String::from_utf8_lossy(&reply).into_owned())
}

#[test]
fn redis_server_answers_stops_and_restarts_on_its_port() {
    let version = servers::redis_version().expect("redis-server is installed (`bash scripts/test.sh`)");
    assert!(version.starts_with("Redis server v="), "{version}");
    let mut redis = servers::start_redis().expect("redis-server starts");
    assert_eq!(redis.url, format!("redis://127.0.0.1:{}/", redis.port));
    assert_eq!(redis_ping(redis.port).unwrap(), "+PONG\r\n");
    redis.stop();
    assert!(redis_ping(redis.port).is_err(), "a stopped server no longer listens");
    redis.restart().expect("started again");
    assert_eq!(redis_ping(redis.port).unwrap(), "+PONG\r\n");
    let port = redis.port;
    drop(redis);
    assert!(redis_ping(port).is_err(), "a dropped server no longer listens");
}
