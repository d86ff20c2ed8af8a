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
    problems.extend(crate::release::rules(root));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
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
    #[test]
    fn the_repository_is_tidy() {
        if let Err(problems) = super::check(&crate::workspace_root()) {
            panic!("tidy found problems:\n{}", problems.join("\n"));
        }
    }
}
