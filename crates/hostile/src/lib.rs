//! A hostile deployment for tests: a tiny HTTP/1.1 server on 127.0.0.1 that answers
//! each request with whatever the test scripted, including what a well-behaved server
//! never sends (a gzip bomb, a reply that trickles a byte at a time, a `Content-Length`
//! that lies, a redirect to another port). It records every request it sees, so a test
//! can assert that *no* request reached it, or that no request carried the key.
//!
//! Hand-written rather than axum/hyper on purpose: those servers refuse to send the
//! malformed and lying replies these tests need (a length that disagrees with the body,
//! a body that never ends). It binds to 127.0.0.1 only; tests never leave loopback.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// The request target as sent: a path, or an absolute URL when the client treats
    /// this server as a proxy.
    pub target: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The path without the query, for routing.
    pub fn path(&self) -> &str {
        let t = self.target.as_str();
        let t = match t.find("://") {
            Some(i) => t[i + 3..].find('/').map_or("/", |j| &t[i + 3 + j..]),
            None => t,
        };
        t.split('?').next().unwrap_or(t)
    }
}

/// What to answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A well-formed reply with this status, content type and body.
    Body {
        status: u16,
        content_type: String,
        body: Vec<u8>,
    },
    /// JSON with status 200.
    Json(String),
    /// A 200 `Content-Encoding: gzip` reply that inflates to `inflated` bytes of zeros
    /// (compressed as it is sent: about a thousandth of that goes over the wire).
    GzipBomb { inflated: u64 },
    /// The status line and headers at once, then one byte of `body` every `every`.
    Trickle {
        content_type: String,
        every: Duration,
        body: Vec<u8>,
    },
    /// Headers announcing `content_length` (possibly a lie), then zeros after `head`
    /// until the client goes away or `content_length` is reached.
    Endless {
        content_type: String,
        content_length: Option<u64>,
        head: Vec<u8>,
    },
    /// A redirect to `location`.
    Redirect { status: u16, location: String },
}

impl Reply {
    pub fn json(body: impl Into<String>) -> Reply {
        Reply::Json(body.into())
    }

    pub fn status(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Body {
            status,
            content_type: content_type.to_string(),
            body: body.into(),
        }
    }
}

type Route = dyn Fn(&Seen) -> Reply + Send + Sync;

/// A running hostile server; stops when dropped.
pub struct Hostile {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Hostile {
    /// Starts on 127.0.0.1 on a free port; `route` decides each reply.
    pub async fn start(route: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let route: Arc<Route> = Arc::new(route);
        let log = seen.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let route = route.clone();
                let log = log.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, route, log).await;
                });
            }
        });
        Hostile { addr, seen, task }
    }

    /// A server that answers 404 to everything: a recorder for requests that must not come.
    pub async fn recorder() -> Hostile {
        Hostile::start(|_| Reply::status(404, "text/plain", "nothing here")).await
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

async fn serve(
    mut stream: TcpStream,
    route: Arc<Route>,
    log: Arc<Mutex<Vec<Seen>>>,
) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    let end = loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
        if let Some(i) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if head.len() > 64 * 1024 {
            return Ok(());
        }
    };
    let text = String::from_utf8_lossy(&head[..end]).to_string();
    let mut lines = text.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_string();
    let target = first.next().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let seen = Seen {
        method,
        target,
        headers,
    };
    // Drain a request body (uploads, POSTs) so the client is not blocked writing it.
    let length: u64 = seen
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut have = (head.len() - end - 4) as u64;
    while have < length {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        have += n as u64;
    }
    if let Ok(mut log) = log.lock() {
        log.push(seen.clone());
    }
    let reply = route(&seen);
    write_reply(&mut stream, reply).await
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

async fn write_reply(stream: &mut TcpStream, reply: Reply) -> std::io::Result<()> {
    match reply {
        Reply::Json(body) => {
            write_body(stream, 200, "application/json", body.as_bytes()).await?;
        }
        Reply::Body {
            status,
            content_type,
            body,
        } => write_body(stream, status, &content_type, &body).await?,
        Reply::Redirect { status, location } => {
            let head = format!(
                "HTTP/1.1 {status} {}\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                reason(status)
            );
            stream.write_all(head.as_bytes()).await?;
        }
        Reply::GzipBomb { inflated } => {
            use flate2::write::GzEncoder;
            use std::io::Write;
            stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                )
                .await?;
            let zeros = vec![b' '; 1024 * 1024];
            let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::best());
            encoder.write_all(b"{\"data\":{\"task\":{\"id\":\"")?;
            let mut written = 0u64;
            while written < inflated {
                let n = (inflated - written).min(zeros.len() as u64) as usize;
                encoder.write_all(&zeros[..n])?;
                written += n as u64;
                let out = std::mem::take(encoder.get_mut());
                if !out.is_empty() {
                    write_chunk(stream, &out).await?;
                }
            }
            let out = encoder.finish()?;
            write_chunk(stream, &out).await?;
            stream.write_all(b"0\r\n\r\n").await?;
        }
        Reply::Trickle {
            content_type,
            every,
            body,
        } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).await?;
            for byte in body {
                stream.write_all(&[byte]).await?;
                stream.flush().await?;
                tokio::time::sleep(every).await;
            }
        }
        Reply::Endless {
            content_type,
            content_length,
            head,
        } => {
            let length = content_length
                .map(|l| format!("Content-Length: {l}\r\n"))
                .unwrap_or_default();
            let status = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n{length}Connection: close\r\n\r\n"
            );
            stream.write_all(status.as_bytes()).await?;
            stream.write_all(&head).await?;
            let mut sent = head.len() as u64;
            let zeros = vec![0u8; 256 * 1024];
            let limit = content_length.unwrap_or(u64::MAX);
            while sent < limit {
                let n = (limit - sent).min(zeros.len() as u64) as usize;
                stream.write_all(&zeros[..n]).await?;
                sent += n as u64;
            }
        }
    }
    stream.flush().await?;
    let _ = stream.shutdown().await;
    Ok(())
}

async fn write_body(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        reason(status),
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await
}

async fn write_chunk(stream: &mut TcpStream, data: &[u8]) -> std::io::Result<()> {
    stream
        .write_all(format!("{:x}\r\n", data.len()).as_bytes())
        .await?;
    stream.write_all(data).await?;
    stream.write_all(b"\r\n").await
}

/// The process's peak resident set (`VmHWM` in `/proc/self/status`), in bytes; `None`
/// off Linux. What the memory-bound tests compare.
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// A PNG that declares `width` × `height` 8-bit grey pixels, all zero: a few hundred
/// KB on disk for 11,500 × 11,500, and 132 MB once decoded (a decompression bomb).
pub fn bomb_png(width: u32, height: u32) -> Vec<u8> {
    use flate2::write::ZlibEncoder;
    use std::io::Write;
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit grey, deflate, no filter, no interlace
    chunk(&mut png, b"IHDR", &ihdr);
    let mut z = ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    let row = vec![0u8; width as usize + 1]; // filter byte 0, then the pixels
    for _ in 0..height {
        z.write_all(&row).expect("deflate into memory");
    }
    let idat = z.finish().expect("deflate into memory");
    chunk(&mut png, b"IDAT", &idat);
    chunk(&mut png, b"IEND", &[]);
    png
}
