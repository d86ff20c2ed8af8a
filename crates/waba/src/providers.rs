//! The providers of this build: the one list in the workspace that names them.
//!
//! Adding a provider is its adapter crate (which exports a [`ProviderSpec`] as `SPEC`), its
//! feature in this crate's `Cargo.toml`, and one line here. [`Config`](crate::Config), the
//! receiver set-up, the CLI and the sandbox's demo all read this list.

use waba_core::ProviderSpec;

// Each adapter crate, under its provider's name, for its own types (its config, its
// provider, operations only it has).
#[cfg(feature = "cloud")]
pub use waba_provider_cloud as cloud;
#[cfg(feature = "enablex")]
pub use waba_provider_enablex as enablex;
#[cfg(feature = "generic-v2")]
pub use waba_provider_generic_v2 as generic_v2;
#[cfg(feature = "mobile-gateway")]
pub use waba_provider_mobile_gateway as mobile_gateway;
#[cfg(feature = "onprem")]
pub use waba_provider_onprem as onprem;
#[cfg(feature = "tujenge")]
pub use waba_provider_tujenge as tujenge;

/// Every provider compiled into this build, in the order the CLI lists them.
pub static PROVIDERS: &[&ProviderSpec] = &[
    #[cfg(feature = "cloud")]
    &waba_provider_cloud::SPEC,
    #[cfg(feature = "onprem")]
    &waba_provider_onprem::SPEC,
    #[cfg(feature = "tujenge")]
    &waba_provider_tujenge::SPEC,
    #[cfg(feature = "enablex")]
    &waba_provider_enablex::SPEC,
    #[cfg(feature = "mobile-gateway")]
    &waba_provider_mobile_gateway::SPEC,
    #[cfg(feature = "generic-v2")]
    &waba_provider_generic_v2::SPEC,
];
