//! A tiny HTTP proxy in front of moto that refuses `sts:AssumeRole` into chosen
//! accounts, as STS does when the role is missing or its trust policy does not name the
//! caller. moto itself lets any role be assumed, existing or not ("the role does not
//! need to exist", moto/sts/models.py), so without this the unreadable-account case
//! could not happen against it. Everything else is passed to moto unchanged.
//!
//! One request per connection (`Connection: close` both ways) keeps the framing trivial:
//! the scan's requests carry a Content-Length body or none, and moto's answer ends
//! where its connection does.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};

pub struct DenyProxy {
    pub url: String,
}

/// Starts the proxy on a free port; it lives as long as the test process.
pub fn start(upstream_port: u16, deny_accounts: &[&str]) -> DenyProxy {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
    let port = listener.local_addr().unwrap().port();
    let deny: Vec<String> = deny_accounts.iter().map(|s| s.to_string()).collect();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let deny = deny.clone();
            std::thread::spawn(move || {
                let _ = serve(client, upstream_port, &deny);
            });
        }
    });
    DenyProxy {
        url: format!("http://127.0.0.1:{port}"),
    }
}

fn serve(mut client: TcpStream, upstream_port: u16, deny: &[String]) -> std::io::Result<()> {
    let (head, body) = read_request(&mut client)?;
    let text = String::from_utf8_lossy(&body);
    let denied = text
        .contains("Action=AssumeRole&")
        .then(|| deny.iter().find(|id| text.contains(id.as_str())))
        .flatten();
    if let Some(account) = denied {
        let xml = format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
             <Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/tomscan is not authorized \
             to perform: sts:AssumeRole on resource: arn:aws:iam::{account}:role/OrganizationAccountAccessRole\
             </Message></Error><RequestId>deny-proxy</RequestId></ErrorResponse>"
        );
        write!(
            client,
            "HTTP/1.1 403 Forbidden\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}",
            xml.len()
        )?;
        return client.shutdown(Shutdown::Both);
    }
    let mut upstream = TcpStream::connect(("127.0.0.1", upstream_port))?;
    upstream.write_all(&close_connection(&head))?;
    upstream.write_all(&body)?;
    let mut answer = Vec::new();
    upstream.read_to_end(&mut answer)?;
    let split = find(&answer, b"\r\n\r\n").map_or(answer.len(), |i| i + 4);
    client.write_all(&close_connection(&answer[..split]))?;
    client.write_all(&answer[split..])?;
    client.shutdown(Shutdown::Both)
}

/// The request head (through the blank line) and its Content-Length body.
fn read_request(stream: &mut TcpStream) -> std::io::Result<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = buf.split_off(head_end);
    while body.len() < length {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok((buf, body))
}

/// A message head with its connection headers replaced by `Connection: close`.
fn close_connection(head: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(head);
    let mut out = String::new();
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        let name = line.split(':').next().unwrap_or_default().trim();
        if name.eq_ignore_ascii_case("connection") || name.eq_ignore_ascii_case("keep-alive") {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("Connection: close\r\n\r\n");
    out.into_bytes()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
