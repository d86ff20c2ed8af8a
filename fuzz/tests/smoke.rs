//! Every fuzz target's body over its seeds (the fixtures it names and `fuzz/corpus/<target>/`)
//! and a fixed number of deterministic mutations of them, on stable, in every CI run: the
//! targets keep compiling and their properties keep holding. Real fuzzing is
//! `cargo xtask fuzz`.

use std::fs;
use std::path::{Path, PathBuf};

use waba_fuzz::{STATUSES, TARGETS, Target};

/// Mutations per target; with 15 targets, a few thousand in all, in a few seconds.
const MUTATIONS: usize = 300;

/// Tokens that often change how a parser walks the input.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"null",
    b"true",
    b"\"\"",
    b"0",
    b"-1",
    b"1e999",
    b"18446744073709551616",
    b"\\u0000",
    b"\\ud800",
    b"\n",
    b"+",
    b"00",
    b"=",
    b"&",
    b"%",
    b"sha256=",
    b"\xff",
    b"\xe2\x80\xae",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("fuzz/ is in the repository")
        .to_path_buf()
}

fn files(dir: &Path) -> Vec<Vec<u8>> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.sort();
    paths
        .iter()
        .filter(|p| p.is_file())
        .filter_map(|p| {
            let bytes = fs::read(p).ok()?;
            Some(status_selector(p).map_or(bytes.clone(), |s| [vec![s], bytes].concat()))
        })
        .collect()
}

/// Response fixtures are named after their status (`send_200.json`, `error_429_130429.json`):
/// the response targets take it as their first byte, so the seed replays that answer.
fn status_selector(path: &Path) -> Option<u8> {
    let in_responses = path
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|n| n == "responses");
    if !in_responses {
        return None;
    }
    let name = path.file_stem()?.to_str()?;
    let status: u16 = name
        .split('_')
        .find_map(|part| (part.len() == 3).then(|| part.parse().ok()).flatten())?;
    STATUSES
        .iter()
        .position(|&s| s == status)
        .and_then(|i| u8::try_from(i).ok())
}

fn seeds(target: &Target) -> Vec<Vec<u8>> {
    let root = root();
    let mut seeds: Vec<Vec<u8>> = target
        .fixtures
        .iter()
        .flat_map(|dir| files(&root.join("fixtures").join(dir)))
        .collect();
    seeds.extend(files(&root.join("fuzz/corpus").join(target.name)));
    seeds
}

fn mutate(rng: &mut fastrand::Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.usize(..seeds.len())].clone();
    for _ in 0..rng.usize(1..=4) {
        let len = data.len();
        match rng.u8(..7) {
            0 if len > 0 => {
                let i = rng.usize(..len);
                data[i] ^= 1 << rng.u8(..8);
            }
            1 if len > 0 => {
                let i = rng.usize(..len);
                data[i] = rng.u8(..);
            }
            2 => {
                let token = TOKENS[rng.usize(..TOKENS.len())];
                let at = rng.usize(..=len);
                data.splice(at..at, token.iter().copied());
            }
            3 if len > 0 => {
                let start = rng.usize(..len);
                let end = rng.usize(start..=len.min(start + 16));
                data.drain(start..end);
            }
            4 if len > 0 => {
                let start = rng.usize(..len);
                let end = rng.usize(start..=len.min(start + 64));
                let copy = data[start..end].to_vec();
                let at = rng.usize(..=len);
                data.splice(at..at, copy);
            }
            5 => {
                let other = &seeds[rng.usize(..seeds.len())];
                let cut = rng.usize(..=len);
                let from = rng.usize(..=other.len());
                data.truncate(cut);
                data.extend_from_slice(&other[from..]);
            }
            _ => data.truncate(rng.usize(..=len)),
        }
    }
    data
}

/// Runs one input; a broken property names the target and the input to turn into a fixture.
fn run(target: &Target, data: &[u8]) {
    let outcome = std::panic::catch_unwind(|| (target.run)(data));
    assert!(
        outcome.is_ok(),
        "{}: a property broke on input {:?}",
        target.name,
        String::from_utf8_lossy(data)
    );
}

#[test]
fn every_target_holds_over_its_seeds_and_mutations() {
    let built: Vec<String> = fs::read_dir(root().join("fuzz/fuzz_targets"))
        .expect("fuzz/fuzz_targets")
        .filter_map(Result::ok)
        .filter_map(|e| Some(e.path().file_stem()?.to_str()?.to_owned()))
        .collect();
    for target in TARGETS {
        assert!(
            built.iter().any(|b| b == target.name),
            "fuzz_targets/{}.rs is missing",
            target.name
        );
        let seeds = seeds(target);
        assert!(!seeds.is_empty(), "{}: no seeds", target.name);
        for seed in &seeds {
            run(target, seed);
        }
        let seed = target
            .name
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31) + u64::from(b));
        let mut rng = fastrand::Rng::with_seed(seed);
        for _ in 0..MUTATIONS {
            run(target, &mutate(&mut rng, &seeds));
        }
    }
    assert_eq!(
        built.len(),
        TARGETS.len(),
        "a fuzz target has no body in TARGETS"
    );
}
