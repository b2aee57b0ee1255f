use super::*;
use crate::auth::store::MemoryStore;

fn key(id: &str, byte: u8) -> EncryptionKey {
    EncryptionKey::new(id, [byte; KEY_BYTES]).unwrap()
}

fn tokens() -> TokenSet {
    let mut tokens = TokenSet::new("access-secret");
    tokens.refresh_token = Some(SecretString::from("refresh-secret".to_owned()));
    tokens.expires_at = Some(std::time::UNIX_EPOCH + std::time::Duration::from_secs(2_000_000_000));
    tokens.scopes = vec!["contacts.read".into()];
    tokens
}

fn tenant(t: &str) -> TokenKey {
    TokenKey::new("contacts", "oauth2", t)
}

/// The record the wrapped store holds for `key`.
async fn raw(store: &EncryptedStore<MemoryStore>, key: &TokenKey) -> String {
    store.inner().load(key).await.unwrap().expect("a record").access_token.expose_secret().to_owned()
}

async fn put_raw(store: &EncryptedStore<MemoryStore>, key: &TokenKey, record: String) {
    store.inner().save(key, &TokenSet::new(record)).await.unwrap();
}

#[tokio::test]
async fn tokens_round_trip_and_the_wrapped_store_holds_no_secret() {
    let store = EncryptedStore::new(MemoryStore::new(), Keyring::new(key("k1", 7)));
    let k = tenant("portal-1");
    store.save(&k, &tokens()).await.unwrap();
    let record = raw(&store, &k).await;
    assert!(record.starts_with("polvo-sealed-v1.k1."), "{record}");
    assert!(!record.contains("secret") && !record.contains("contacts"), "{record}");
    let loaded = store.load(&k).await.unwrap().expect("stored");
    assert_eq!(loaded.access_token.expose_secret(), "access-secret");
    assert_eq!(loaded.refresh_token.unwrap().expose_secret(), "refresh-secret");
    assert_eq!(loaded.expires_at, tokens().expires_at);
    assert_eq!(loaded.scopes, ["contacts.read"]);
    // Each save has its own nonce.
    store.save(&k, &tokens()).await.unwrap();
    assert_ne!(raw(&store, &k).await, record);
    assert!(store.load(&tenant("other")).await.unwrap().is_none());
}

#[tokio::test]
async fn a_tampered_byte_is_an_error_naming_the_store_key_and_key_id() {
    let store = EncryptedStore::new(MemoryStore::new(), Keyring::new(key("k1", 7)));
    let k = tenant("portal-1");
    store.save(&k, &tokens()).await.unwrap();
    let record = raw(&store, &k).await;
    let (head, ciphertext) = record.rsplit_once('.').unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(ciphertext).unwrap();
    bytes[3] ^= 1;
    put_raw(&store, &k, format!("{head}.{}", URL_SAFE_NO_PAD.encode(bytes))).await;
    let err = store.load(&k).await.expect_err("a tampered record is never used").to_string();
    assert!(err.contains("contacts/oauth2/portal-1") && err.contains("`k1`"), "{err}");
    assert!(err.contains("altered"), "{err}");
    assert!(!err.contains("access-secret"), "{err}");
}

#[tokio::test]
async fn a_record_moved_to_another_tenant_does_not_open() {
    let store = EncryptedStore::new(MemoryStore::new(), Keyring::new(key("k1", 7)));
    store.save(&tenant("a"), &tokens()).await.unwrap();
    put_raw(&store, &tenant("b"), raw(&store, &tenant("a")).await).await;
    let err = store.load(&tenant("b")).await.unwrap_err().to_string();
    assert!(err.contains("contacts/oauth2/b") && err.contains("fail authentication"), "{err}");
}

#[tokio::test]
async fn a_wrong_key_or_an_unknown_key_id_is_an_error() {
    let writer = EncryptedStore::new(MemoryStore::new(), Keyring::new(key("k1", 7)));
    let k = tenant("t");
    writer.save(&k, &tokens()).await.unwrap();
    let record = raw(&writer, &k).await;

    let same_id_other_secret = EncryptedStore::new(MemoryStore::new(), Keyring::new(key("k1", 8)));
    put_raw(&same_id_other_secret, &k, record.clone()).await;
    let err = same_id_other_secret.load(&k).await.unwrap_err().to_string();
    assert!(err.contains("fail authentication with encryption key `k1`"), "{err}");

    let other_id = EncryptedStore::new(MemoryStore::new(), Keyring::new(key("k2", 7)));
    put_raw(&other_id, &k, record).await;
    let err = other_id.load(&k).await.unwrap_err().to_string();
    assert!(err.contains("encrypted with key `k1`, which the keyring does not hold"), "{err}");
}

#[tokio::test]
async fn after_rotation_old_records_read_and_new_writes_use_the_new_key() {
    let before = EncryptedStore::new(MemoryStore::new(), Keyring::new(key("k1", 7)));
    let k = tenant("t");
    before.save(&k, &tokens()).await.unwrap();
    let old_record = raw(&before, &k).await;

    let rotated = EncryptedStore::new(MemoryStore::new(), Keyring::new(key("k2", 9)).with_older(key("k1", 7)).unwrap());
    put_raw(&rotated, &k, old_record).await;
    let loaded = rotated.load(&k).await.unwrap().expect("the old record still opens");
    assert_eq!(loaded.access_token.expose_secret(), "access-secret");
    rotated.save(&k, &loaded).await.unwrap();
    let new_record = raw(&rotated, &k).await;
    assert!(new_record.starts_with("polvo-sealed-v1.k2."), "{new_record}");

    // Once the old key is dropped, only records it sealed stop opening.
    let only_new = EncryptedStore::new(MemoryStore::new(), Keyring::new(key("k2", 9)));
    put_raw(&only_new, &k, new_record).await;
    assert!(only_new.load(&k).await.unwrap().is_some());
}

#[tokio::test]
async fn plain_records_are_refused_unless_accepted_for_migration() {
    let store = EncryptedStore::new(MemoryStore::new(), Keyring::new(key("k1", 7)));
    let k = tenant("t");
    put_raw(&store, &k, "plain-access".into()).await;
    let err = store.load(&k).await.unwrap_err().to_string();
    assert!(err.contains("are not encrypted"), "{err}");
    let migrating = store.accept_plaintext(true);
    assert_eq!(migrating.load(&k).await.unwrap().unwrap().access_token.expose_secret(), "plain-access");
    put_raw(&migrating, &k, "polvo-sealed-v1.k1.not-base64!.x".into()).await;
    let err = migrating.load(&k).await.unwrap_err().to_string();
    assert!(err.contains("malformed encrypted record"), "{err}");
}

#[test]
fn keyrings_parse_from_text_and_report_bad_entries() {
    let k1 = key("k1", 1).to_base64();
    let k2 = key("k2", 2).to_base64();
    let ring = Keyring::parse(&format!("k2:{}, k1:{}", k2.expose_secret(), k1.expose_secret())).unwrap();
    assert_eq!(ring.current().id(), "k2");
    assert!(ring.find("k1").is_some());
    let err = |text: &str| Keyring::parse(text).unwrap_err().to_string();
    assert!(err("").contains("no encryption key"));
    assert!(err("k1").contains("id:base64-key"));
    assert!(err("k1:!!!").contains("`k1` is not valid base64"));
    assert!(err("k1:AAAA").contains("has 3 bytes, not 32"));
    assert!(err(&format!("a.b:{}", k1.expose_secret())).contains("key id `a.b`"));
    assert!(err(&format!("k1:{0},k1:{0}", k1.expose_secret())).contains("twice"));
}

#[test]
fn keys_never_show_their_secret() {
    let generated = EncryptionKey::generate("gen").unwrap();
    let secret = generated.to_base64();
    let ring = Keyring::new(generated);
    let shown = format!("{ring:?}");
    assert!(shown.contains("gen") && shown.contains("[redacted]"), "{shown}");
    assert!(!shown.contains(secret.expose_secret()), "{shown}");
    assert_eq!(EncryptionKey::from_base64("x", &secret).unwrap().to_base64().expose_secret(), secret.expose_secret());
}

#[tokio::test]
async fn a_file_store_record_tampered_on_disk_is_an_error() {
    let dir = std::env::temp_dir().join(format!("polvo-sealed-file-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let files = crate::auth::store::FileStore::new(&dir).unwrap();
    let store = EncryptedStore::new(files.clone(), Keyring::new(key("disk-1", 5)));
    let k = tenant("portal-9");
    store.save(&k, &tokens()).await.unwrap();
    let path = files.path_of(&k);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("access-secret") && !text.contains("refresh-secret"), "{text}");
    assert_eq!(store.load(&k).await.unwrap().unwrap().access_token.expose_secret(), "access-secret");
    // Flip one character of the ciphertext, inside the JSON string.
    let at = text.rfind('"').unwrap() - 5;
    let flipped = if &text[at..=at] == "A" { "B" } else { "A" };
    std::fs::write(&path, format!("{}{flipped}{}", &text[..at], &text[at + 1..])).unwrap();
    let err = store.load(&k).await.unwrap_err().to_string();
    assert!(err.contains("contacts/oauth2/portal-9") && err.contains("`disk-1`"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn login(verifier: &str) -> StoredLogin {
    StoredLogin::new(SecretString::from(verifier.to_owned()), std::time::SystemTime::now() + LOGIN_LIFE)
}

const LOGIN_LIFE: std::time::Duration = std::time::Duration::from_secs(600);

#[tokio::test]
async fn a_pending_login_is_sealed_and_opens_once() {
    let store = EncryptedStore::new(MemoryStore::new(), Keyring::new(key("k1", 7)));
    let k = tenant("portal-1");
    let verifier = "verifier-secret-0123456789-0123456789-0123456789";
    store.save_login(&k, "state-1", &login(verifier)).await.unwrap();
    // What the wrapped store holds: sealed, no verifier.
    let sealed = store.inner().take_login(&k, "state-1").await.unwrap().expect("kept by the wrapped store");
    let raw = sealed.to_json();
    assert!(sealed.verifier.expose_secret().starts_with("polvo-sealed-v1.k1."), "{}", raw.expose_secret());
    assert!(!raw.expose_secret().contains("verifier-secret"), "{}", raw.expose_secret());
    // Put back, it opens once for its key and state.
    store.inner().save_login(&k, "state-1", &sealed).await.unwrap();
    let opened = store.take_login(&k, "state-1").await.unwrap().expect("the login");
    assert_eq!(opened.verifier.expose_secret(), verifier);
    assert!(store.take_login(&k, "state-1").await.unwrap().is_none(), "single use");
    // Moved to another state or tenant, it is refused.
    for (to, state) in [(k.clone(), "state-2"), (tenant("portal-2"), "state-1")] {
        store.inner().save_login(&to, state, &sealed).await.unwrap();
        let err = store.take_login(&to, state).await.expect_err("bound to its key and state").to_string();
        assert!(err.contains("pending login") && err.contains("fail authentication"), "{err}");
    }
}

#[tokio::test]
async fn a_sealed_login_never_opens_as_tokens_nor_plain_logins_as_sealed() {
    let store = EncryptedStore::new(MemoryStore::new(), Keyring::new(key("k1", 7)));
    let k = tenant("portal-1");
    store.save_login(&k, "s", &login("v".repeat(50).as_str())).await.unwrap();
    let sealed = store.inner().take_login(&k, "s").await.unwrap().unwrap();
    put_raw(&store, &k, sealed.verifier.expose_secret().to_owned()).await;
    let err = store.load(&k).await.expect_err("a login record is no token record").to_string();
    assert!(err.contains("fail authentication"), "{err}");
    store.inner().save_login(&k, "plain", &login("plain-verifier")).await.unwrap();
    let err = store.take_login(&k, "plain").await.expect_err("a plain login is refused").to_string();
    assert!(err.contains("pending login data stored for contacts/oauth2/portal-1 are not encrypted"), "{err}");
}
