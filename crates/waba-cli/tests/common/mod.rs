//! Helpers of the end-to-end CLI tests: the `waba` binary with a clean environment, and a
//! sandbox on its own runtime for it to talk to.

#![allow(dead_code, unreachable_pub, reason = "each test file uses a part")]

use std::process::Output;

use assert_cmd::Command;
use waba::sandbox::{Faults, Sandbox, SandboxHandle};

pub fn waba() -> Command {
    let mut c = Command::cargo_bin("waba").unwrap();
    // Nothing from the developer's environment leaks into the tests.
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("WABA_")) {
        c.env_remove(k);
    }
    c
}

pub fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

pub fn fixture(p: &str) -> String {
    format!("{}/../../fixtures/{p}", env!("CARGO_MANIFEST_DIR"))
}

/// The customer every test writes as, and sends to.
pub const CUSTOMER: &str = "+16315551002";

/// A sandbox on its own runtime thread, for the CLI to talk to.
pub struct Running {
    pub info: serde_json::Value,
    pub handle: std::mem::ManuallyDrop<SandboxHandle>,
    pub rt: tokio::runtime::Runtime,
}

impl Running {
    /// A sandbox where [`CUSTOMER`] wrote to every provider, so the 24-hour window is open.
    pub fn start() -> Self {
        Self::with_faults(Faults::default())
    }

    pub fn with_faults(faults: Faults) -> Self {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let handle = rt
            .block_on(Sandbox::builder().lifecycle(None).start())
            .unwrap();
        let running = Self {
            info: handle.info(),
            handle: std::mem::ManuallyDrop::new(handle),
            rt,
        };
        for p in running.handle.providers() {
            running.inbound(p, "hi");
        }
        running.handle.set_faults(faults);
        running
    }

    /// The customer writes to `provider`; the inbound message's id.
    pub fn inbound(&self, provider: &str, text: &str) -> String {
        self.rt
            .block_on(
                self.handle
                    .inject_inbound(provider, &CUSTOMER.parse().unwrap(), text),
            )
            .unwrap()
            .id
    }

    /// The CLI configured for `provider`'s emulation: every credential the sandbox lists
    /// becomes its `WABA_<PROVIDER>_<KEY>` variable.
    pub fn cli(&self, provider: &str) -> Command {
        let mut c = waba();
        let prefix = format!("WABA_{}_", provider.replace('-', "_").to_uppercase());
        c.env("WABA_PROVIDER", provider);
        c.env("WABA_RETRY_ATTEMPTS", "1");
        let settings = self.info["providers"][provider].as_object().unwrap();
        for (key, value) in settings {
            if let Some(v) = value.as_str() {
                c.env(format!("{prefix}{}", key.to_uppercase()), v);
            }
        }
        c
    }

    /// The provider the CLI builds from the same settings, to read its capabilities.
    pub fn provider(&self, provider: &str) -> waba::SharedProvider {
        let prefix = format!("WABA_{}_", provider.replace('-', "_").to_uppercase());
        let mut config = waba::Config::new().with("WABA_PROVIDER", provider);
        for (key, value) in self.info["providers"][provider].as_object().unwrap() {
            if let Some(v) = value.as_str() {
                config = config.with(&format!("{prefix}{}", key.to_uppercase()), v);
            }
        }
        config.provider().unwrap()
    }

    pub fn base_url(&self) -> String {
        self.info["base_url"].as_str().unwrap().to_owned()
    }
}

pub const PROVIDERS: [&str; 6] = [
    "cloud",
    "onprem",
    "tujenge",
    "enablex",
    "mobile-gateway",
    "generic-v2",
];
