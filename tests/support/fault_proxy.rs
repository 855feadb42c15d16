//! A fault-injecting HTTP/1.1 proxy in front of moto, on 127.0.0.1: requests that match
//! a rule get the rule's fault (an AWS error in the request's own protocol, a garbage
//! body, a reset connection, no answer at all); every other request goes to moto as is.
//!
//! Rules match on what AWS routes by: the service and region of the SigV4 credential
//! scope, and the operation (`X-Amz-Target` for JSON protocols, `Action=` for query
//! protocols, method and path for REST ones). One connection carries one request
//! (`Connection: close`), so a fault never leaks into the next request.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a matching request gets.
#[derive(Debug, Clone)]
pub enum Fault {
    /// An AWS error with this HTTP status and error code, shaped as the request's
    /// protocol shapes errors (EC2 XML, query XML, S3 XML, JSON), as the SDK parses the
    /// code from that shape.
    Error { status: u16, code: &'static str },
    /// A status with an empty body: no AWS error code at all.
    Bare(u16),
    /// 200 OK with a body no parser accepts.
    Garbage,
    /// The connection is reset (RST) without an answer.
    Reset,
    /// The request is read and never answered; the connection stays open.
    Hang,
    /// A fixed answer: status, content type, body (an account's own facts, say).
    Reply(u16, &'static str, String),
}

/// Which requests a rule applies to; `None` matches anything.
#[derive(Debug, Clone, Default)]
pub struct Match {
    /// The SigV4 signing name: `ec2`, `iam`, `kms`, `s3`, `sts`, ...
    pub service: Option<&'static str>,
    /// `DescribeVolumes` (query `Action=` or the `X-Amz-Target` operation); for REST
    /// protocols `GET ?encryption`: the method and a fragment of the path and query.
    pub operation: Option<&'static str>,
    pub region: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub when: Match,
    pub fault: Fault,
}

/// One request as the proxy saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub service: String,
    pub region: String,
    pub operation: String,
    /// Index of the rule applied, if any.
    pub rule: Option<usize>,
}

pub struct FaultProxy {
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    /// Connections held open by [`Fault::Hang`], closed when the proxy is dropped.
    hung: Arc<Mutex<Vec<TcpStream>>>,
    port: u16,
}

impl FaultProxy {
    /// A proxy to `upstream` (`http://127.0.0.1:PORT`) applying the first matching rule.
    pub fn start(upstream: &str, rules: Vec<Rule>) -> FaultProxy {
        let upstream = upstream
            .strip_prefix("http://")
            .expect("an http:// upstream")
            .to_string();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().unwrap().port();
        let proxy = FaultProxy {
            url: format!("http://127.0.0.1:{port}"),
            seen: Arc::default(),
            stop: Arc::default(),
            hung: Arc::default(),
            port,
        };
        let (seen, stop, hung) = (proxy.seen.clone(), proxy.stop.clone(), proxy.hung.clone());
        let rules = Arc::new(rules);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (rules, seen, hung, upstream) =
                    (rules.clone(), seen.clone(), hung.clone(), upstream.clone());
                std::thread::spawn(move || {
                    let _ = serve(stream, &rules, &seen, &hung, &upstream);
                });
            }
        });
        proxy
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// How many requests rule `index` answered.
    pub fn hits(&self, index: usize) -> usize {
        self.seen().iter().filter(|s| s.rule == Some(index)).count()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        for s in self.hung.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}

struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Region and service from `Credential=AKID/DATE/REGION/SERVICE/aws4_request`.
    fn scope(&self) -> (String, String) {
        let scope = self
            .header("authorization")
            .and_then(|a| a.split("Credential=").nth(1))
            .unwrap_or_default();
        let mut parts = scope.split('/').skip(2);
        let region = parts.next().unwrap_or_default().to_string();
        let service = parts.next().unwrap_or_default().to_string();
        (region, service)
    }

    fn action(&self) -> Option<String> {
        let body = String::from_utf8_lossy(&self.body);
        body.split('&')
            .find_map(|kv| kv.strip_prefix("Action="))
            .map(str::to_string)
    }

    fn operation(&self) -> String {
        if let Some(target) = self.header("x-amz-target") {
            return target.rsplit('.').next().unwrap_or(target).to_string();
        }
        self.action()
            .unwrap_or_else(|| format!("{} {}", self.method, self.target))
    }

    fn protocol(&self, service: &str) -> Protocol {
        if self.header("x-amz-target").is_some() {
            Protocol::Json
        } else if self.action().is_some() {
            if service == "ec2" {
                Protocol::Ec2
            } else {
                Protocol::Query
            }
        } else if service == "s3" {
            Protocol::RestXml
        } else {
            Protocol::RestJson
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Protocol {
    Ec2,
    Query,
    RestXml,
    Json,
    RestJson,
}

impl Match {
    fn applies(&self, service: &str, region: &str, operation: &str, method_path: &str) -> bool {
        let op = self
            .operation
            .is_none_or(|want| match want.split_once(' ') {
                Some((method, fragment)) => {
                    method_path.starts_with(&format!("{method} ")) && method_path.contains(fragment)
                }
                None => operation == want,
            });
        op && self.service.is_none_or(|s| s == service) && self.region.is_none_or(|r| r == region)
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut words = line.split_whitespace();
    let method = words.next().unwrap_or_default().to_string();
    let target = words.next().unwrap_or_default().to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Some(Request {
        method,
        target,
        headers,
        body,
    }))
}

fn serve(
    stream: TcpStream,
    rules: &[Rule],
    seen: &Mutex<Vec<Seen>>,
    hung: &Mutex<Vec<TcpStream>>,
    upstream: &str,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let Some(req) = read_request(&mut reader)? else {
        return Ok(());
    };
    let (region, service) = req.scope();
    let operation = req.operation();
    let method_path = format!("{} {}", req.method, req.target);
    let rule = rules
        .iter()
        .position(|r| r.when.applies(&service, &region, &operation, &method_path));
    seen.lock().unwrap().push(Seen {
        service: service.clone(),
        region,
        operation,
        rule,
    });
    let mut stream = stream;
    let Some(index) = rule else {
        return forward(&req, &mut stream, upstream);
    };
    match &rules[index].fault {
        Fault::Error { status, code } => {
            let (content_type, extra, body) = error_body(req.protocol(&service), code);
            respond(&mut stream, *status, content_type, extra, &body)
        }
        Fault::Bare(status) => respond(&mut stream, *status, "text/plain", "", ""),
        Fault::Garbage => respond(
            &mut stream,
            200,
            "text/xml",
            "",
            "\u{1}<<not {an \"answer\" ]]>",
        ),
        Fault::Reset => {
            // Linger 0: close() sends RST instead of FIN, as a dropped load balancer does.
            socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO))?;
            drop(reader);
            drop(stream);
            Ok(())
        }
        Fault::Reply(status, content_type, body) => {
            respond(&mut stream, *status, content_type, "", body)
        }
        Fault::Hang => {
            hung.lock().unwrap().push(stream);
            Ok(())
        }
    }
}

/// The error shape each protocol's SDK deserializer reads the code from.
fn error_body(protocol: Protocol, code: &str) -> (&'static str, String, String) {
    let message = format!("injected by the fault proxy: {code}");
    match protocol {
        Protocol::Ec2 => (
            "text/xml",
            String::new(),
            format!(
                "<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>fault</RequestID></Response>"
            ),
        ),
        Protocol::Query => (
            "text/xml",
            String::new(),
            format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
            ),
        ),
        Protocol::RestXml => (
            "application/xml",
            String::new(),
            format!(
                "<Error><Code>{code}</Code><Message>{message}</Message><RequestId>fault</RequestId></Error>"
            ),
        ),
        Protocol::Json => (
            "application/x-amz-json-1.1",
            String::new(),
            format!(r#"{{"__type":"{code}","message":"{message}"}}"#),
        ),
        Protocol::RestJson => (
            "application/json",
            format!("x-amzn-ErrorType: {code}\r\n"),
            format!(r#"{{"message":"{message}"}}"#),
        ),
    }
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    extra_headers: impl AsRef<str>,
    body: &str,
) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status} Fault\r\nContent-Type: {content_type}\r\n{}Content-Length: {}\r\nx-amzn-RequestId: fault\r\nConnection: close\r\n\r\n{body}",
        extra_headers.as_ref(),
        body.len()
    )?;
    stream.flush()
}

/// Sends the request to moto and its whole answer back, one request per connection.
fn forward(req: &Request, client: &mut TcpStream, upstream: &str) -> std::io::Result<()> {
    let mut moto = TcpStream::connect(upstream)?;
    let mut head = format!("{} {} HTTP/1.1\r\n", req.method, req.target);
    for (k, v) in &req.headers {
        if !k.eq_ignore_ascii_case("connection") {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    head.push_str("Connection: close\r\n\r\n");
    moto.write_all(head.as_bytes())?;
    moto.write_all(&req.body)?;
    let mut answer = Vec::new();
    moto.read_to_end(&mut answer)?;
    // Tell the client this connection ends here, whatever moto said.
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(answer.len());
    let head = String::from_utf8_lossy(&answer[..split]);
    let mut out = String::new();
    for line in head.split("\r\n") {
        if !line.to_ascii_lowercase().starts_with("connection:") {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("Connection: close");
    client.write_all(out.as_bytes())?;
    client.write_all(&answer[split..])?;
    client.flush()
}
