//! Where the `waba` binary the examples drive is: `--waba PATH`, else beside the examples'
//! own directory (`target/<profile>/waba`, which `cargo xtask` builds first).

use std::path::PathBuf;

/// The `waba` binary to run.
pub(crate) fn waba_binary(args: &[String]) -> PathBuf {
    args.iter()
        .position(|a| a == "--waba")
        .and_then(|i| args.get(i + 1))
        .map_or_else(
            || {
                let exe = std::env::current_exe().expect("own path");
                exe.parent()
                    .and_then(|examples| examples.parent())
                    .expect("target/<profile>/examples")
                    .join("waba")
            },
            PathBuf::from,
        )
}
