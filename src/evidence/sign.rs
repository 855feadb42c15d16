//! Keys and SSH signatures (the `sshsig` format of `ssh-keygen -Y sign`), namespace
//! `tomscan`, so that a signature made for a bundle cannot be passed off as one made for
//! anything else (a git commit, a file signed for another purpose).

use std::io::Write;
use std::path::{Path, PathBuf};

use ssh_key::{Algorithm, HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

use super::EvidenceError;

/// The namespace every tomscan signature is made in: `ssh-keygen -Y verify -n tomscan`.
pub const NAMESPACE: &str = "tomscan";

/// A private key that signs manifests.
pub struct Signer {
    key: PrivateKey,
}

impl Signer {
    /// An OpenSSH private key file, unencrypted (a passphrase would need a prompt a
    /// scheduled scan cannot answer; keep the file 0600 or in a secret store).
    pub fn load(path: &Path) -> Result<Signer, EvidenceError> {
        let text = std::fs::read_to_string(path).map_err(EvidenceError::io(path))?;
        let bad = |problem: String| EvidenceError::Key {
            path: path.to_path_buf(),
            problem,
        };
        let key = PrivateKey::from_openssh(&text).map_err(|e| {
            bad(format!(
                "not an OpenSSH private key ({e}); make one with `tomscan keygen FILE`"
            ))
        })?;
        if key.is_encrypted() {
            return Err(bad(
                "the key is protected by a passphrase, which a scan cannot type: use a key without one (`tomscan keygen FILE`) kept readable only by the scanner".into(),
            ));
        }
        Ok(Signer { key })
    }

    /// `SHA256:...`, as `ssh-keygen -l` shows it.
    pub fn fingerprint(&self) -> String {
        self.key
            .public_key()
            .fingerprint(HashAlg::Sha256)
            .to_string()
    }

    /// The armoured signature of `message` (`-----BEGIN SSH SIGNATURE-----`).
    pub fn sign(&self, message: &[u8]) -> Result<String, String> {
        let sig = self
            .key
            .sign(NAMESPACE, HashAlg::Sha512, message)
            .map_err(|e| e.to_string())?;
        sig.to_pem(LineEnding::LF).map_err(|e| e.to_string())
    }
}

/// Makes an Ed25519 key pair: `path` (private, mode 0600) and `path.pub`. Refuses to
/// overwrite either. Returns the public key's path and fingerprint.
pub fn keygen(path: &Path) -> Result<(PathBuf, String), EvidenceError> {
    let public_path = PathBuf::from(format!("{}.pub", path.display()));
    for p in [path, public_path.as_path()] {
        if p.exists() || p.is_symlink() {
            return Err(EvidenceError::Exists(p.to_path_buf()));
        }
    }
    let key =
        PrivateKey::random(&mut ssh_key::rand_core::OsRng, Algorithm::Ed25519).map_err(|e| {
            EvidenceError::Key {
                path: path.to_path_buf(),
                problem: format!("cannot make a key: {e}"),
            }
        })?;
    let private = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| EvidenceError::Key {
            path: path.to_path_buf(),
            problem: e.to_string(),
        })?;
    let mut public = key
        .public_key()
        .to_openssh()
        .map_err(|e| EvidenceError::Key {
            path: public_path.clone(),
            problem: e.to_string(),
        })?;
    public.push_str(" tomscan\n");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(EvidenceError::io(path))?;
    file.write_all(private.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(EvidenceError::io(path))?;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&public_path)
        .and_then(|mut f| f.write_all(public.as_bytes()))
        .map_err(EvidenceError::io(&public_path))?;
    Ok((
        public_path,
        key.public_key().fingerprint(HashAlg::Sha256).to_string(),
    ))
}

/// A public key an auditor was given: an OpenSSH `.pub` line, or an `allowed_signers`
/// line (`principal key-type key`), whose first key is taken.
pub fn load_public_key(path: &Path) -> Result<PublicKey, EvidenceError> {
    let text = std::fs::read_to_string(path).map_err(EvidenceError::io(path))?;
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .find_map(|line| {
            PublicKey::from_openssh(line).ok().or_else(|| {
                // allowed_signers: the principals come first.
                line.split_once(char::is_whitespace)
                    .and_then(|(_, key)| PublicKey::from_openssh(key.trim()).ok())
            })
        })
        .ok_or_else(|| EvidenceError::Key {
            path: path.to_path_buf(),
            problem: "holds no OpenSSH public key (ssh-ed25519 AAAA..., as `tomscan keygen` writes to FILE.pub)".into(),
        })
}

/// Whether `signature` (armoured) is `key`'s signature of `message` in the tomscan
/// namespace.
pub fn verify(key: &PublicKey, message: &[u8], signature: &str) -> Result<(), String> {
    let sig = SshSig::from_pem(signature).map_err(|e| format!("not an SSH signature: {e}"))?;
    if sig.namespace() != NAMESPACE {
        return Err(format!(
            "made for namespace {:?}, not {NAMESPACE:?}",
            sig.namespace()
        ));
    }
    key.verify(NAMESPACE, message, &sig).map_err(|_| {
        format!(
            "not a signature of this manifest by key {}",
            key.fingerprint(HashAlg::Sha256)
        )
    })
}

/// `SHA256:...` of a public key.
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}
