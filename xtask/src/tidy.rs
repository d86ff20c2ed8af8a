//! The repository's own rules, checked by `cargo xtask tidy` and by a test.

use std::fs;
use std::path::{Path, PathBuf};

/// Returns every broken rule, or nothing.
pub(crate) fn check(root: &Path) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    let crates = root.join("crates");
    let mut manifests: Vec<PathBuf> = fs::read_dir(&crates)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path().join("Cargo.toml"))
                .filter(|p| p.exists())
                .collect()
        })
        .unwrap_or_default();
    manifests.push(root.join("xtask/Cargo.toml"));
    for manifest in &manifests {
        let text = fs::read_to_string(manifest).unwrap_or_default();
        if !text.contains("[lints]\nworkspace = true") {
            problems.push(format!(
                "{}: add `[lints] workspace = true`",
                manifest.display()
            ));
        }
    }
    for file in rust_files(&crates)
        .into_iter()
        .chain(rust_files(&root.join("xtask")))
    {
        let text = fs::read_to_string(&file).unwrap_or_default();
        let in_tests = file.components().any(|c| c.as_os_str() == "tests");
        for (n, line) in text.lines().enumerate() {
            let at = format!("{}:{}", file.display(), n + 1);
            let code = line.split("//").next().unwrap_or("");
            if code.contains(concat!("dbg", "!(")) {
                problems.push(format!("{at}: remove the debugging macro"));
            }
            if !in_tests
                && (code.contains(concat!("todo", "!("))
                    || code.contains(concat!("unimplemented", "!(")))
            {
                problems.push(format!(
                    "{at}: a stub is not done; finish it or return an error"
                ));
            }
        }
        // A secret must never be serialisable: it would end up in logs and config dumps.
        if text.contains("SecretString") || text.contains("SecretBox") {
            for (n, window) in text.lines().collect::<Vec<_>>().windows(3).enumerate() {
                if window[0].contains("derive(")
                    && window[0].contains("Serialize")
                    && window[1..].iter().any(|l| l.contains("struct Secret"))
                {
                    problems.push(format!(
                        "{}:{}: secret types must not derive Serialize",
                        file.display(),
                        n + 1
                    ));
                }
            }
        }
    }
    problems.extend(provider_names(root));
    problems.extend(crate::release::rules(root));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Where the six providers may be named in code, each with why. Everything else under
/// `crates/` must reach a provider through its spec (the facade's provider list), so that
/// adding a provider is its crate, its feature and one line.
const PROVIDER_NAMES_ALLOWED: &[(&str, &str)] = &[
    (
        "crates/waba-provider-",
        "each adapter crate names itself (Tujenge's is built on the on-prem adapter)",
    ),
    (
        "crates/waba/src/providers.rs",
        "the one feature-gated list of provider specs",
    ),
    (
        "crates/waba-webhook/src/formats/",
        "webhook format decoders, named for their format, not for a provider",
    ),
    (
        "crates/waba-sandbox/src/emulation/",
        "the sandbox's emulations, one module per emulated provider",
    ),
];

/// The spellings looked for, matched without regard to case: kebab, snake and CamelCase
/// (`MobileGateway` is `mobilegateway` in lower case).
const PROVIDER_WORDS: &[&str] = &[
    "cloud",
    "onprem",
    "on-prem",
    "on_prem",
    "tujenge",
    "enablex",
    "mobile-gateway",
    "mobile_gateway",
    "mobilegateway",
    "generic-v2",
    "generic_v2",
    "genericv2",
];

/// No provider is named in code outside [`PROVIDER_NAMES_ALLOWED`].
///
/// The rule is about code: identifiers and string literals. It reads every `.rs` file
/// under `crates/` and skips
/// - comments (`//`, `///`, `//!`, to the end of the line): a doc comment may cite which
///   provider a fact comes from;
/// - tests: files under a `tests/` directory, and everything from the first `#[cfg(test)]`
///   of a file on (test modules sit at the end);
/// - `examples/` and `benches/` directories: runnable documentation, which picks a provider
///   to show.
fn provider_names(root: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for file in rust_files(&root.join("crates")) {
        let rel = file
            .strip_prefix(root)
            .unwrap_or(&file)
            .to_string_lossy()
            .replace('\\', "/");
        if PROVIDER_NAMES_ALLOWED
            .iter()
            .any(|(prefix, _)| rel.starts_with(prefix))
            || ["tests", "examples", "benches"]
                .iter()
                .any(|d| rel.split('/').any(|c| c == *d))
        {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap_or_default();
        for (n, word) in names_in_code(&text) {
            problems.push(format!(
                "{rel}:{n}: `{word}` names a provider outside its crate; read it from the provider's spec (waba::PROVIDERS), or see PROVIDER_NAMES_ALLOWED in xtask/src/tidy.rs"
            ));
        }
    }
    problems
}

/// The provider words in `text`'s code (comments and the `#[cfg(test)]` tail left out), with
/// their 1-based line numbers.
fn names_in_code(text: &str) -> Vec<(usize, &'static str)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let code = without_comment(line).to_ascii_lowercase();
        if let Some(word) = PROVIDER_WORDS.iter().find(|w| code.contains(*w)) {
            found.push((n + 1, *word));
        }
    }
    found
}

/// The line up to its `//` comment, if any; a `//` inside a string literal (a URL) is code.
fn without_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
        i += 1;
    }
    line
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::names_in_code;

    #[test]
    fn provider_names_are_found_in_code_only() {
        let text = "/// Cloud's code 131047, as cited.\n\
                    let id = \"https://host/path\"; // on-prem says so\n\
                    let d = MobileGatewayDecoder;\n\
                    let url = \"http://127.0.0.1/generic-v2\";\n\
                    let v = \"WABA_TUJENGE_API_KEY\";\n\
                    #[cfg(test)]\n\
                    let t = \"enablex\";";
        assert_eq!(
            names_in_code(text),
            vec![(3, "mobilegateway"), (4, "generic-v2"), (5, "tujenge")]
        );
    }

    #[test]
    fn the_repository_is_tidy() {
        if let Err(problems) = super::check(&crate::workspace_root()) {
            panic!("tidy found problems:\n{}", problems.join("\n"));
        }
    }
}
