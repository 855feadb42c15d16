//! Credentials never leave the process: every log line, error message and report text
//! that could carry one passes through [`text`] first.
//!
//! Two nets, because neither alone is enough. The credentials the scan actually uses are
//! remembered when the SDK's provider hands them out ([`Remembering`]), whatever their
//! shape (an emulator's key id may be any string); and anything shaped like an AWS access
//! key id (`AKIA`/`ASIA` and 16 more characters) or a SigV4 signature is masked even when
//! it is not ours, since a key id in a log identifies the credentials that ran the scan.
//! A masked value keeps its first four characters (`AKIA…`): enough to tell a long-term
//! key from a session key, too little to name one.

use std::borrow::Cow;
use std::sync::RwLock;

use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};

/// What a masked value is replaced with, after its first four characters.
const MASK: &str = "…(redacted)";

/// Shorter values are left alone: they cannot be told from ordinary words (`test`), and
/// AWS's own key ids are at least 16 characters.
const MIN_SECRET_LEN: usize = 8;

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Masks these credentials wherever [`text`] sees them from now on.
pub fn remember(credentials: &Credentials) {
    let values = [
        Some(credentials.access_key_id()),
        Some(credentials.secret_access_key()),
        credentials.session_token(),
    ];
    let Ok(mut secrets) = SECRETS.write() else {
        return;
    };
    for value in values.into_iter().flatten() {
        if value.len() >= MIN_SECRET_LEN && !secrets.iter().any(|s| s == value) {
            secrets.push(value.to_string());
        }
    }
    // Longest first, so a token that contains a key id is masked whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// `s` with every remembered credential, access-key-id-shaped word and SigV4 signature
/// masked.
pub fn text(s: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(s);
    if let Ok(secrets) = SECRETS.read() {
        for secret in secrets.iter() {
            if out.contains(secret.as_str()) {
                out = Cow::Owned(out.replace(secret.as_str(), &masked(secret)));
            }
        }
    }
    if let Some(changed) = mask_shapes(&out) {
        out = Cow::Owned(changed);
    }
    out
}

fn masked(secret: &str) -> String {
    let keep: String = secret.chars().take(4).collect();
    format!("{keep}{MASK}")
}

/// Prefixes of AWS access key ids (long-term `AKIA`, session `ASIA`, and the rarer
/// bearer and certificate kinds). Unique ids of users and roles (`AIDA`, `AROA`) are
/// not credentials and stay.
const KEY_ID_PREFIXES: [&str; 4] = ["AKIA", "ASIA", "ABIA", "ACCA"];

/// Masks access-key-id-shaped words and the value after `Signature=`; `None` when there
/// is none.
fn mask_shapes(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if word_start && let Some(len) = key_id_at(&bytes[i..]) {
            out.push_str(&s[copied..i + 4]);
            out.push_str(MASK);
            i += len;
            copied = i;
            continue;
        }
        if bytes[i..].starts_with(b"Signature=") {
            let value = i + "Signature=".len();
            let end = value
                + bytes[value..]
                    .iter()
                    .take_while(|b| b.is_ascii_hexdigit())
                    .count();
            if end - value >= 16 {
                out.push_str(&s[copied..value]);
                out.push_str(MASK);
                copied = end;
            }
            i = end.max(i + 1);
            continue;
        }
        i += 1;
    }
    (copied > 0).then(|| {
        out.push_str(&s[copied..]);
        out
    })
}

/// The length of an access key id starting at `b`: a known prefix, then 16 upper-case
/// letters or digits, then the end of the word.
fn key_id_at(b: &[u8]) -> Option<usize> {
    const LEN: usize = 20;
    if b.len() < LEN || !KEY_ID_PREFIXES.iter().any(|p| b.starts_with(p.as_bytes())) {
        return None;
    }
    let body_ok = b[4..LEN]
        .iter()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    let ends = b.get(LEN).is_none_or(|c| !c.is_ascii_alphanumeric());
    (body_ok && ends).then_some(LEN)
}

/// A credentials provider that remembers what it hands out, so that [`text`] masks the
/// scan's own credentials whatever their shape.
#[derive(Debug)]
pub struct Remembering(pub SharedCredentialsProvider);

impl Remembering {
    pub fn shared(inner: SharedCredentialsProvider) -> SharedCredentialsProvider {
        SharedCredentialsProvider::new(Remembering(inner))
    }
}

impl ProvideCredentials for Remembering {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            let credentials = self.0.provide_credentials().await?;
            remember(&credentials);
            Ok(credentials)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_id_shapes_keep_four_characters() {
        let line = "Credentials { access_key_id: \"AKIAIOSFODNN7EXAMPLE\", provider: Environment }";
        assert_eq!(
            text(line),
            "Credentials { access_key_id: \"AKIA…(redacted)\", provider: Environment }"
        );
        assert_eq!(text("ASIAABCDEFGHIJKLMNOP"), "ASIA…(redacted)");
    }

    #[test]
    fn words_that_only_look_alike_stay() {
        for s in [
            "AKIA",
            "AKIAshort",
            "XAKIAIOSFODNN7EXAMPLE",
            "AKIAIOSFODNN7EXAMPLEX",
            "AIDAIOSFODNN7EXAMPLE",
            "AROAIOSFODNN7EXAMPLE:session",
            "arn:aws:iam::123456789012:user/alice",
        ] {
            assert_eq!(text(s), s, "{s}");
        }
    }

    #[test]
    fn signatures_are_masked() {
        let header = "AWS4-HMAC-SHA256 Credential=x/20261204/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let clean = text(header);
        assert!(clean.ends_with("Signature=…(redacted)"), "{clean}");
        assert_eq!(text("Signature=abc"), "Signature=abc");
    }

    #[test]
    fn remembered_credentials_of_any_shape_are_masked() {
        let credentials = Credentials::new(
            "emulator-key-9f3e1c",
            "emulatorSecret/0123456789",
            Some("emulatorSessionToken+AAAAAAAA".into()),
            None,
            "test",
        );
        remember(&credentials);
        let line = "key emulator-key-9f3e1c secret emulatorSecret/0123456789 token emulatorSessionToken+AAAAAAAA";
        let clean = text(line);
        for secret in [
            "emulator-key-9f3e1c",
            "emulatorSecret/0123456789",
            "emulatorSessionToken+AAAAAAAA",
        ] {
            assert!(!clean.contains(secret), "{clean}");
        }
        assert!(clean.contains("emul…(redacted)"), "{clean}");
    }

    #[test]
    fn multibyte_text_around_a_key_id_survives() {
        assert_eq!(
            text("schlüssel AKIAIOSFODNN7EXAMPLE ✓"),
            "schlüssel AKIA…(redacted) ✓"
        );
    }
}
