//! A cache of generated code, keyed by the content of every file a spec
//! reads.
//!
//! rust-analyzer expands macros on every edit, and a cold expansion of a
//! spec the size of GitHub's takes seconds. The cache keeps the generated
//! tokens as text under the target directory (`target/polvo-cache/`); a
//! warm expansion only hashes the files and parses the text back.
//!
//! An entry records every file the run read (the spec, files it `$ref`s,
//! the `x-polvo` sidecar) with a hash of its content, and is used only if
//! all of them are unchanged. The key also covers the generator's options,
//! a fingerprint of the generator's own source, and whether a sidecar
//! exists, so adding one is seen.

use proc_macro2::TokenStream;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::{Diagnostics, Generator, Output};

const FORMAT: &str = "polvo-cache 1";

/// Where cached expansions live.
#[derive(Clone, Debug)]
pub struct ExpansionCache {
    dir: PathBuf,
}

/// A 64-bit FNV-1a-style hash over eight bytes at a time: stable across
/// runs and toolchains, and fast even in the unoptimized builds cargo gives
/// proc macros.
fn fnv(bytes: &[u8], mut hash: u64) -> u64 {
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        hash ^= u64::from_le_bytes(word);
        hash = hash.wrapping_mul(0x100000001b3).rotate_left(29);
    }
    for b in chunks.remainder() {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x100000001b3);
    }
    hash ^ bytes.len() as u64
}

const FNV_START: u64 = 0xcbf29ce484222325;

/// The hash the cache records for a file's content.
pub(crate) fn content_hash(bytes: &[u8]) -> u64 {
    fnv(bytes, FNV_START)
}

fn file_hash(path: &Path) -> Option<u64> {
    std::fs::read(path).ok().map(|bytes| content_hash(&bytes))
}

impl ExpansionCache {
    /// A cache in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        ExpansionCache { dir: dir.into() }
    }

    /// The cache of the workspace that `manifest_dir` belongs to:
    /// `$CARGO_TARGET_DIR/polvo-cache`, or `target/polvo-cache` next to the
    /// nearest `Cargo.lock`. `None` when `POLVO_CACHE=off` or no place is found.
    pub fn for_crate(manifest_dir: &Path) -> Option<Self> {
        if std::env::var("POLVO_CACHE").is_ok_and(|v| v == "off" || v == "0") {
            return None;
        }
        let root = manifest_dir.ancestors().find(|dir| dir.join("Cargo.lock").is_file()).unwrap_or(manifest_dir);
        let target = match std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
            Some(dir) if dir.is_absolute() => dir,
            Some(dir) => root.join(dir),
            None => root.join("target"),
        };
        Some(ExpansionCache::new(target.join("polvo-cache")))
    }

    /// The generator's output, from the cache when every file it read is
    /// unchanged, otherwise generated and stored. Failures are never cached.
    pub fn generate(&self, generator: &Generator) -> Result<Output, Diagnostics> {
        // Found once: the sidecar is parsed to find the overlays beside the
        // files it lists.
        let overlays = generator.overlay_paths();
        let key = self.key(generator, &overlays);
        // The key already covers the root files' content: only the files
        // they refer to need checking when the entry is read.
        let mut in_key: Vec<&Path> = generator.spec_files().iter().map(|(_, path)| path.as_path()).collect();
        let sidecar = generator.sidecar_path();
        in_key.extend(sidecar.as_ref().map(|(_, path)| path.as_path()));
        in_key.extend(overlays.iter().map(|(_, path)| path.as_path()));
        if let Some(output) = key.as_deref().and_then(|key| self.load(key, &in_key)) {
            return Ok(output);
        }
        let output = generator.generate()?;
        if let Some(key) = key {
            self.store(&key, &output);
        }
        Ok(output)
    }

    /// The key of a run: options, version, and each root file's content,
    /// plus whether a sidecar exists.
    fn key(&self, generator: &Generator, overlays: &[(String, PathBuf)]) -> Option<String> {
        // The generator's own source is part of the key: a change to it must
        // never be answered with code the old one made.
        let mut hash = fnv(env!("CARGO_PKG_VERSION").as_bytes(), FNV_START);
        hash = fnv(env!("POLVO_CODEGEN_FINGERPRINT").as_bytes(), hash);
        hash = fnv(generator.options_fingerprint().as_bytes(), hash);
        for (name, path) in generator.spec_files() {
            hash = fnv(name.as_bytes(), hash);
            // Where the file is, too: a macro's output names the files it
            // tracks by path, so two crates with the same spec must not
            // share an entry (each must rebuild when its own file changes).
            hash = fnv(path.as_os_str().as_encoded_bytes(), hash);
            hash = fnv(&std::fs::read(path).ok()?, hash);
        }
        if let Some((_, sidecar)) = generator.sidecar_path() {
            hash = fnv(&std::fs::read(sidecar).ok()?, hash);
        }
        // The overlays next to the spec files, so that adding one is seen; a
        // marker and the name keep them apart from a sidecar of the same content.
        for (name, overlay) in overlays {
            hash = fnv(b"overlay", hash);
            hash = fnv(name.as_bytes(), hash);
            hash = fnv(&std::fs::read(overlay).ok()?, hash);
        }
        // Files the sidecar lists are roots too, and the overlays it lists are
        // read too; the entry records every file read, so their content is
        // checked when the entry is loaded.
        Some(format!("{hash:016x}"))
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.tokens"))
    }

    fn load(&self, key: &str, in_key: &[&Path]) -> Option<Output> {
        let text = std::fs::read_to_string(self.path(key)).ok()?;
        let (header, tokens) = text.split_once("\ntokens\n")?;
        let mut lines = header.lines();
        if lines.next()? != FORMAT {
            return None;
        }
        let mut files = Vec::new();
        for line in lines {
            let (hash, path) = line.strip_prefix("file ")?.split_once(' ')?;
            let path = PathBuf::from(path);
            if !in_key.contains(&path.as_path()) && format!("{:016x}", file_hash(&path)?) != hash {
                return None;
            }
            files.push(path);
        }
        let tokens = TokenStream::from_str(tokens).ok()?;
        Some(Output { tokens, content_hashes: vec![None; files.len()], files, warnings: Vec::new() })
    }

    /// Writes an entry; a cache that cannot be written is simply not used.
    fn store(&self, key: &str, output: &Output) {
        let mut text = String::from(FORMAT);
        text.push('\n');
        for (file, read) in output.files.iter().zip(&output.content_hashes) {
            // The hash of the text the tokens were made from; a file edited
            // since then no longer matches, and the entry is not used.
            let Some(hash) = read.or_else(|| file_hash(file)) else { return };
            text.push_str(&format!("file {hash:016x} {}\n", file.display()));
        }
        text.push_str("tokens\n");
        text.push_str(&output.tokens.to_string());
        if std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let path = self.path(key);
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key `generate` computes for `generator`.
    fn key_of(cache: &ExpansionCache, generator: &Generator) -> Option<String> {
        cache.key(generator, &generator.overlay_paths())
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("polvo-cache-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    const SPEC: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: getA\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'other.yaml#/Thing'}\n";
    const OTHER: &str = "Thing:\n  type: object\n  properties:\n    x: {type: string}\n";

    #[test]
    fn warm_runs_come_from_the_cache_until_a_file_changes() {
        let dir = scratch("warm");
        std::fs::write(dir.join("api.yaml"), SPEC).unwrap();
        std::fs::write(dir.join("other.yaml"), OTHER).unwrap();
        let cache = ExpansionCache::new(dir.join("cache"));
        let generator = Generator::new("api").spec(dir.join("api.yaml"), "api.yaml");

        let cold = cache.generate(&generator).unwrap();
        let entries = std::fs::read_dir(dir.join("cache")).unwrap().count();
        assert_eq!(entries, 1);
        let warm = cache.load(&key_of(&cache, &generator).unwrap(), &[]).expect("a hit");
        assert_eq!(warm.tokens.to_string(), cold.tokens.to_string());
        assert_eq!(warm.files.len(), 2, "the referenced file is recorded too");

        // Changing the referenced file (not the key's root file) invalidates the entry.
        std::fs::write(dir.join("other.yaml"), OTHER.replace("x:", "y:")).unwrap();
        assert!(cache.load(&key_of(&cache, &generator).unwrap(), &[]).is_none());
        let regenerated = cache.generate(&generator).unwrap();
        assert!(regenerated.tokens.to_string().contains("pub y"));

        // Options are part of the key.
        let renamed = Generator::new("other_name").spec(dir.join("api.yaml"), "api.yaml");
        assert_ne!(key_of(&cache, &renamed), key_of(&cache, &generator));

        // A sidecar appearing changes the key.
        let before = key_of(&cache, &generator);
        std::fs::write(dir.join("api.polvo.yaml"), "name: renamed\n").unwrap();
        assert_ne!(key_of(&cache, &generator), before);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn overlays_are_part_of_what_an_entry_depends_on() {
        let dir = scratch("overlay");
        let overlay = "overlay: 1.0.0\ninfo: {title: O, version: '1'}\nactions:\n  - target: $.paths['/a'].get\n    update: {operationId: getRenamed}\n";
        std::fs::write(dir.join("api.yaml"), SPEC).unwrap();
        std::fs::write(dir.join("other.yaml"), OTHER).unwrap();
        let cache = ExpansionCache::new(dir.join("cache"));
        let generator = Generator::new("api").spec(dir.join("api.yaml"), "api.yaml");
        let plain = key_of(&cache, &generator);

        // An overlay appearing next to the spec changes the key.
        std::fs::write(dir.join("api.overlay.yaml"), overlay).unwrap();
        assert_ne!(key_of(&cache, &generator), plain);
        let first = cache.generate(&generator).unwrap();
        assert!(first.tokens.to_string().contains("get_renamed"));
        assert!(first.files.iter().any(|f| f.ends_with("api.overlay.yaml")), "the overlay is a file read");
        let in_key = [dir.join("api.yaml"), dir.join("api.overlay.yaml")];
        let in_key: Vec<&Path> = in_key.iter().map(PathBuf::as_path).collect();
        assert!(cache.load(&key_of(&cache, &generator).unwrap(), &in_key).is_some());

        // An overlay the spec's section lists is checked when the entry is read.
        std::fs::remove_file(dir.join("api.overlay.yaml")).unwrap();
        let listed = SPEC.replace("paths:", "x-polvo: {overlays: [fix.overlay.yaml]}\npaths:");
        std::fs::write(dir.join("api.yaml"), listed).unwrap();
        std::fs::write(dir.join("fix.overlay.yaml"), overlay).unwrap();
        assert!(cache.generate(&generator).unwrap().tokens.to_string().contains("get_renamed"));
        std::fs::write(dir.join("fix.overlay.yaml"), overlay.replace("getRenamed", "getOther")).unwrap();
        assert!(cache.load(&key_of(&cache, &generator).unwrap(), &[]).is_none(), "the edited overlay invalidates");
        assert!(cache.generate(&generator).unwrap().tokens.to_string().contains("get_other"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn every_spec_file_of_a_service_gets_the_overlay_next_to_it() {
        let dir = scratch("overlay-second");
        let second = SPEC.replace("/a:", "/b:").replace("getA", "getB");
        let overlay = "overlay: 1.0.0\ninfo: {title: O, version: '1'}\nactions:\n  - target: $.paths['/b'].get\n    update: {operationId: getFixed}\n";
        std::fs::write(dir.join("api.yaml"), SPEC).unwrap();
        std::fs::write(dir.join("other.yaml"), OTHER).unwrap();
        std::fs::write(dir.join("second.yaml"), &second).unwrap();
        std::fs::write(dir.join("listed.yaml"), second.replace("/b:", "/c:").replace("getB", "getC")).unwrap();
        let cache = ExpansionCache::new(dir.join("cache"));
        let generator =
            Generator::new("api").spec(dir.join("api.yaml"), "api.yaml").spec(dir.join("second.yaml"), "second.yaml");
        let plain = key_of(&cache, &generator);
        assert!(cache.generate(&generator).unwrap().tokens.to_string().contains("get_b"));

        // The second file's own overlay applies to it, and changes the key.
        std::fs::write(dir.join("second.overlay.yaml"), overlay).unwrap();
        assert_ne!(key_of(&cache, &generator), plain);
        let fixed = cache.generate(&generator).unwrap();
        let tokens = fixed.tokens.to_string();
        assert!(tokens.contains("get_fixed") && !tokens.contains("get_b"), "{tokens}");
        assert!(fixed.files.iter().any(|f| f.ends_with("second.overlay.yaml")), "the overlay is a file read");

        // So does the overlay of a file the sidecar lists.
        std::fs::write(dir.join("api.polvo.yaml"), "files: [listed.yaml]\n").unwrap();
        let before = key_of(&cache, &generator);
        let fix_c = overlay.replace("'/b'", "'/c'").replace("getFixed", "getListedFixed");
        std::fs::write(dir.join("listed.overlay.yaml"), fix_c).unwrap();
        assert_ne!(key_of(&cache, &generator), before, "an overlay beside a listed file changes the key");
        assert!(cache.generate(&generator).unwrap().tokens.to_string().contains("get_listed_fixed"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_same_spec_in_two_places_gets_two_entries_each_tracking_its_own_file() {
        let dir = scratch("two-places");
        let cache = ExpansionCache::new(dir.join("cache"));
        let mut outputs = Vec::new();
        for place in ["one", "two"] {
            std::fs::create_dir_all(dir.join(place)).unwrap();
            std::fs::write(dir.join(place).join("api.yaml"), SPEC).unwrap();
            std::fs::write(dir.join(place).join("other.yaml"), OTHER).unwrap();
            let generator = Generator::new("api").spec(dir.join(place).join("api.yaml"), "api.yaml").track_files(true);
            outputs.push((place, cache.generate(&generator).unwrap()));
        }
        for (place, output) in &outputs {
            let tracked = output.tokens.to_string();
            let own = dir.join(place).join("api.yaml").canonicalize().unwrap();
            assert!(tracked.contains(&own.display().to_string()), "{place} tracks its own spec: {tracked}");
            assert!(output.files.iter().all(|f| f.starts_with(dir.join(place))), "{place}: {:?}", output.files);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn failures_are_not_cached() {
        let dir = scratch("fail");
        std::fs::write(dir.join("api.yaml"), "openapi: 4.0.0\n").unwrap();
        let cache = ExpansionCache::new(dir.join("cache"));
        let generator = Generator::new("api").spec(dir.join("api.yaml"), "api.yaml");
        assert!(cache.generate(&generator).is_err());
        assert!(!dir.join("cache").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
