//! Fingerprints this crate's source, so that cached expansions made by
//! another build of the generator (a different polvo, or a changed working
//! copy) are never reused.

use std::path::Path;

fn hash_dir(dir: &Path, hash: &mut u64) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            hash_dir(&path, hash);
        } else if let Ok(bytes) = std::fs::read(&path) {
            for b in path.to_string_lossy().bytes().chain(bytes) {
                *hash ^= u64::from(b);
                *hash = hash.wrapping_mul(0x100000001b3);
            }
        }
    }
}

fn main() {
    println!("cargo::rerun-if-changed=src");
    let mut hash: u64 = 0xcbf29ce484222325;
    hash_dir(Path::new("src"), &mut hash);
    println!("cargo::rustc-env=POLVO_CODEGEN_FINGERPRINT={hash:016x}");
}
