//! Encryption at rest for any token store: [`EncryptedStore`] seals each
//! record with XChaCha20-Poly1305 before the store it wraps sees it.
//!
//! A sealed record names the key that sealed it (its id, never the key),
//! carries its own random 24-byte nonce, and is bound to its store key
//! (service, scheme, tenant) as associated data: a record altered, moved to
//! another tenant, or sealed with another key under the same id fails to
//! open, and that is an error naming the store key and the key id, never
//! tokens used anyway.
//!
//! Keys rotate through a [`Keyring`]: one current key seals every write;
//! older keys only open records written before the rotation, which the next
//! save (a refresh, a login) seals again with the current key.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretBox, SecretString};
use std::fmt;

use super::pending::StoredLogin;
use super::store::{StoreError, StoreFuture, StoreLock, TokenStore};
use super::token::{StoredTokens, TokenKey, TokenSet};

/// What every sealed record starts with; the version of its layout.
const SEALED_PREFIX: &str = "polvo-sealed-v1";

/// The length of an XChaCha20-Poly1305 key, in bytes.
pub const KEY_BYTES: usize = 32;

/// The length of an XChaCha20-Poly1305 nonce, in bytes.
const NONCE_BYTES: usize = 24;

/// An encryption key with its id. The key itself is a secret: it is zeroed
/// when dropped and never appears in `Debug` output; the id is stored with
/// every record it seals.
pub struct EncryptionKey {
    id: String,
    secret: SecretBox<[u8; KEY_BYTES]>,
}

impl EncryptionKey {
    /// A key from its 32 bytes. The id (1 to 64 ASCII letters, digits, `-`
    /// or `_`) names it in stored records and in errors.
    pub fn new(id: impl Into<String>, secret: [u8; KEY_BYTES]) -> Result<Self, StoreError> {
        let id = id.into();
        check_key_id(&id)?;
        Ok(EncryptionKey { id, secret: SecretBox::new(Box::new(secret)) })
    }

    /// A key from its 32 bytes in standard base64 (as `openssl rand -base64
    /// 32` prints them).
    pub fn from_base64(id: impl Into<String>, encoded: &SecretString) -> Result<Self, StoreError> {
        let id = id.into();
        let bytes = STANDARD
            .decode(encoded.expose_secret().trim())
            .map_err(|_| StoreError(format!("encryption key `{id}` is not valid base64")))?;
        let secret: [u8; KEY_BYTES] = bytes.try_into().map_err(|bytes: Vec<u8>| {
            StoreError(format!("encryption key `{id}` has {} bytes, not {KEY_BYTES}", bytes.len()))
        })?;
        EncryptionKey::new(id, secret)
    }

    /// A new random key from the operating system's generator.
    pub fn generate(id: impl Into<String>) -> Result<Self, StoreError> {
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        EncryptionKey::new(id, key.into())
    }

    /// The key's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The key in standard base64, to keep it somewhere safe.
    pub fn to_base64(&self) -> SecretString {
        SecretString::from(STANDARD.encode(self.secret.expose_secret()))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(Key::from_slice(self.secret.expose_secret()))
    }
}

impl fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptionKey").field("id", &self.id).field("secret", &"[redacted]").finish()
    }
}

fn check_key_id(id: &str) -> Result<(), StoreError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if id.is_empty() || id.len() > 64 || !id.chars().all(allowed) {
        return Err(StoreError(format!("encryption key id `{id}` must be 1 to 64 ASCII letters, digits, `-` or `_`")));
    }
    Ok(())
}

/// The keys of an [`EncryptedStore`]: the current one, which seals every
/// write, and older ones, which still open what they sealed.
#[derive(Debug)]
pub struct Keyring {
    current: EncryptionKey,
    older: Vec<EncryptionKey>,
}

impl Keyring {
    /// A keyring sealing with `current`.
    pub fn new(current: EncryptionKey) -> Self {
        Keyring { current, older: Vec::new() }
    }

    /// Adds a retired key: records it sealed still open; nothing new is
    /// sealed with it. An id that is already in the keyring is refused.
    pub fn with_older(mut self, key: EncryptionKey) -> Result<Self, StoreError> {
        if self.find(&key.id).is_some() {
            return Err(StoreError(format!("encryption key id `{}` is in the keyring twice", key.id)));
        }
        self.older.push(key);
        Ok(self)
    }

    /// A keyring from the environment variable `var`: comma-separated
    /// `id:base64-key` entries, the current key first, then the older ones
    /// (`POLVO_TOKEN_KEYS=k2:…,k1:…`).
    pub fn from_env(var: &str) -> Result<Self, StoreError> {
        let value = std::env::var(var)
            .map(SecretString::from)
            .map_err(|e| StoreError(format!("encryption keys: environment variable {var}: {e}")))?;
        Keyring::parse(value.expose_secret()).map_err(|StoreError(e)| StoreError(format!("{var}: {e}")))
    }

    /// A keyring from `id:base64-key` entries separated by commas, the
    /// current key first.
    pub fn parse(text: &str) -> Result<Self, StoreError> {
        let mut keys = text.split(',').map(str::trim).filter(|entry| !entry.is_empty()).map(|entry| {
            let (id, key) = entry
                .split_once(':')
                .ok_or_else(|| StoreError("each encryption key is written `id:base64-key`".into()))?;
            EncryptionKey::from_base64(id.trim(), &SecretString::from(key.to_owned()))
        });
        let current = keys.next().ok_or_else(|| StoreError("no encryption key given".into()))??;
        keys.try_fold(Keyring::new(current), |ring, key| ring.with_older(key?))
    }

    /// The key that seals new records.
    pub fn current(&self) -> &EncryptionKey {
        &self.current
    }

    fn find(&self, id: &str) -> Option<&EncryptionKey> {
        std::iter::once(&self.current).chain(&self.older).find(|k| k.id == id)
    }
}

/// A token store whose records are sealed with XChaCha20-Poly1305 before
/// the store it wraps keeps them (see the module documentation).
///
/// ```no_run
/// # fn main() -> Result<(), polvo_runtime::auth::StoreError> {
/// use polvo_runtime::auth::{EncryptedStore, FileStore, Keyring};
/// let keys = Keyring::from_env("POLVO_TOKEN_KEYS")?;
/// let store = EncryptedStore::new(FileStore::new("/var/lib/app/tokens")?, keys);
/// # Ok(()) }
/// ```
pub struct EncryptedStore<S> {
    inner: S,
    keys: Keyring,
    accept_plaintext: bool,
}

impl<S: TokenStore> EncryptedStore<S> {
    /// Seals what `inner` keeps with the keys of `keys`.
    pub fn new(inner: S, keys: Keyring) -> Self {
        EncryptedStore { inner, keys, accept_plaintext: false }
    }

    /// Reads records written before encryption was turned on (plain
    /// tokens), which the next save seals. Off by default: whoever can write
    /// the store could otherwise put tokens of their own in it.
    pub fn accept_plaintext(mut self, accept: bool) -> Self {
        self.accept_plaintext = accept;
        self
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn seal(&self, key: &TokenKey, tokens: &TokenSet) -> Result<TokenSet, StoreError> {
        let plain = serde_json::to_vec(&StoredTokens::from(tokens))
            .map_err(|e| StoreError(format!("cannot encode tokens for {key}: {e}")))?;
        let sealing = self.keys.current();
        let aad = associated_data(&[&key.service, &key.scheme, &key.tenant, &sealing.id]);
        self.seal_bytes(&plain, &aad, &format!("tokens for {key}")).map(TokenSet::new)
    }

    fn open(&self, key: &TokenKey, record: TokenSet) -> Result<TokenSet, StoreError> {
        let what = format!("tokens stored for {key}");
        let text = record.access_token.expose_secret();
        let Some(rest) = text.strip_prefix(SEALED_PREFIX).and_then(|r| r.strip_prefix('.')) else {
            if self.accept_plaintext {
                return Ok(record);
            }
            return Err(StoreError(format!("{what} are not encrypted (expected a sealed record)")));
        };
        let plain =
            self.open_bytes(rest, &what, |key_id| associated_data(&[&key.service, &key.scheme, &key.tenant, key_id]))?;
        let stored: StoredTokens = serde_json::from_slice(&plain)
            .map_err(|e| StoreError(format!("{what} decrypt to no token record: {e}")))?;
        Ok(TokenSet::from(stored))
    }

    /// Seals a pending login: the whole record (verifier and expiry) is
    /// encrypted, bound to its store key and `state`; the wrapped store sees
    /// the sealed text as the verifier, and the expiry in clear for its own
    /// clean-up (the sealed one is what counts).
    fn seal_login(&self, key: &TokenKey, state: &str, login: &StoredLogin) -> Result<StoredLogin, StoreError> {
        let sealing = self.keys.current();
        let aad = associated_data(&[LOGIN_PURPOSE, &key.service, &key.scheme, &key.tenant, state, &sealing.id]);
        let plain = login.to_json();
        let sealed = self.seal_bytes(plain.expose_secret().as_bytes(), &aad, &format!("a pending login of {key}"))?;
        Ok(StoredLogin::new(SecretString::from(sealed), login.expires_at))
    }

    fn open_login(&self, key: &TokenKey, state: &str, record: StoredLogin) -> Result<StoredLogin, StoreError> {
        let what = format!("pending login data stored for {key}");
        let text = record.verifier.expose_secret();
        let rest = text
            .strip_prefix(SEALED_PREFIX)
            .and_then(|r| r.strip_prefix('.'))
            .ok_or_else(|| StoreError(format!("{what} are not encrypted (expected a sealed record)")))?;
        let plain = self.open_bytes(rest, &what, |key_id| {
            associated_data(&[LOGIN_PURPOSE, &key.service, &key.scheme, &key.tenant, state, key_id])
        })?;
        let text = String::from_utf8(plain).map_err(|_| StoreError(format!("{what} decrypt to no text")))?;
        StoredLogin::from_json(&text, &what)
    }

    /// Encrypts `plain` with the current key, bound to `aad`, as the text
    /// of a sealed record (`prefix.key-id.nonce.ciphertext`).
    fn seal_bytes(&self, plain: &[u8], aad: &[u8], what: &str) -> Result<String, StoreError> {
        let sealing = self.keys.current();
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = sealing
            .cipher()
            .encrypt(&nonce, Payload { msg: plain, aad })
            .map_err(|_| StoreError(format!("cannot encrypt {what} with key `{}`", sealing.id)))?;
        Ok(format!(
            "{SEALED_PREFIX}.{}.{}.{}",
            sealing.id,
            URL_SAFE_NO_PAD.encode(nonce),
            URL_SAFE_NO_PAD.encode(sealed)
        ))
    }

    /// Decrypts a sealed record's text after its prefix, with the
    /// associated data `aad` gives for the key id it names.
    fn open_bytes(&self, rest: &str, what: &str, aad: impl Fn(&str) -> Vec<u8>) -> Result<Vec<u8>, StoreError> {
        let sealed =
            SealedRecord::parse(rest).ok_or_else(|| StoreError(format!("{what} are a malformed encrypted record")))?;
        let opening = self.keys.find(sealed.key_id).ok_or_else(|| {
            StoreError(format!("{what} were encrypted with key `{}`, which the keyring does not hold", sealed.key_id))
        })?;
        let aad = aad(sealed.key_id);
        opening
            .cipher()
            .decrypt(XNonce::from_slice(&sealed.nonce), Payload { msg: &sealed.ciphertext, aad: &aad })
            .map_err(|_| {
                StoreError(format!(
                    "{what} fail authentication with encryption key `{}`: the record was altered, belongs to \
                     another key, or was sealed by a different key with that id",
                    sealed.key_id
                ))
            })
    }
}

/// The parts of a sealed record after its prefix: `key-id.nonce.ciphertext`.
struct SealedRecord<'a> {
    key_id: &'a str,
    nonce: Vec<u8>,
    ciphertext: Vec<u8>,
}

impl<'a> SealedRecord<'a> {
    fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.split('.');
        let (key_id, nonce, ciphertext) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let nonce = URL_SAFE_NO_PAD.decode(nonce).ok().filter(|n| n.len() == NONCE_BYTES)?;
        let ciphertext = URL_SAFE_NO_PAD.decode(ciphertext).ok()?;
        Some(SealedRecord { key_id, nonce, ciphertext })
    }
}

/// The first part of a pending login's associated data, so a login record
/// never opens as tokens nor tokens as a login.
const LOGIN_PURPOSE: &str = "pending-login";

/// What a record is bound to: its store key (a login's also its purpose
/// and `state`) and the id of the key sealing it, each part
/// length-prefixed so no two lists give the same bytes.
fn associated_data(parts: &[&str]) -> Vec<u8> {
    let mut aad = SEALED_PREFIX.as_bytes().to_vec();
    for part in parts {
        aad.extend_from_slice(&(part.len() as u64).to_be_bytes());
        aad.extend_from_slice(part.as_bytes());
    }
    aad
}

impl<S: TokenStore> TokenStore for EncryptedStore<S> {
    fn load<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, Option<TokenSet>> {
        Box::pin(async move {
            match self.inner.load(key).await? {
                Some(record) => self.open(key, record).map(Some),
                None => Ok(None),
            }
        })
    }

    fn save<'a>(&'a self, key: &'a TokenKey, tokens: &'a TokenSet) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let sealed = self.seal(key, tokens)?;
            self.inner.save(key, &sealed).await
        })
    }

    fn remove<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, ()> {
        self.inner.remove(key)
    }

    fn check<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, ()> {
        self.inner.check(key)
    }

    fn lock<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, StoreLock> {
        self.inner.lock(key)
    }

    /// Seals the login (its verifier is a secret) before the wrapped store
    /// keeps it.
    fn save_login<'a>(&'a self, key: &'a TokenKey, state: &'a str, login: &'a StoredLogin) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            let sealed = self.seal_login(key, state, login)?;
            self.inner.save_login(key, state, &sealed).await
        })
    }

    /// Takes the sealed login from the wrapped store and opens it: a record
    /// that fails to open is an error (and is gone, as it was taken).
    fn take_login<'a>(&'a self, key: &'a TokenKey, state: &'a str) -> StoreFuture<'a, Option<StoredLogin>> {
        Box::pin(async move {
            match self.inner.take_login(key, state).await? {
                Some(record) => self.open_login(key, state, record).map(Some),
                None => Ok(None),
            }
        })
    }
}

#[cfg(test)]
mod tests;
